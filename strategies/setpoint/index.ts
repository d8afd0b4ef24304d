export { createSetpointStrategy, type SetpointState } from './strategy.js';
export { setpointParams, SETPOINT_DEFAULTS, type SetpointParams, type ConfiguredSetpoint } from './params.js';
export { activePeriod, csmsPeriodFor, parseEvseKey, type ActivePeriod, type TransactionRef } from './active-period.js';
export { powerBand, clampToBand, evseMaxPowerW, periodValueW, type PowerBand } from './power-band.js';
export { splitSetpoint, type SplitMember } from './split.js';
