export { allocate, allocateSteps, DEFAULT_DRAW_HEADROOM_A, DEFAULT_DRAW_SETTLE_S } from './allocate.js';
export { floorCurrentA, evseMinA, describeConstraint } from './currents.js';
export { baseShare, worstCaseNonEvLoad, type BaseShareInput } from './base-share.js';
export { buildCircuitTree, pathToRoot, subtreeOf, circuitSource, type CircuitTree } from './circuit-tree.js';
export {
  buildConstraints,
  effectiveNonEvLoad,
  gridPhases,
  evseVoltageV,
  termsFor,
  DEFAULT_VOLTAGE_V,
  type CircuitConstraint,
  type ConstraintSet,
  type Term,
} from './constraints.js';
export { DEFAULT_ROTATION_PERIOD_S, rotationAsSent, type SentChange } from './rotation.js';
export { evsesBelow, loadStaleCircuits } from './stale.js';
export * from './types.js';
export { appendGroupConstraints, fitBaseSharesToGroups, withGroupTerms, type EvseGroupLimit } from './group-limits.js';
export { overdrawnFor, roomKey, roomKeysOf, roomLeft, type CircuitRoom } from './room.js';
