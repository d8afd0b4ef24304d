export * from './der-control-types.js';
export { parseSetDerControl, requestOf, windowFields, type ParsedDerControl } from './der-control-check.js';
export {
  EMPTY_DER_STATE, MAX_DER_CONTROLS, clearDerControls, controlsInForce, isSuperseded, nextDerEdgeMs, outranks,
  inForceOf, pruneExpired, selectDerControls, setDerControl, windowEndMs, type DerControlOf, type DerControlState, type DerInForce,
} from './der-control-store.js';
export { getDerControl, reportPayloads, REPORT_CHUNK } from './der-report.js';
export { derStartStopEvents } from './der-start-stop.js';
export { derAlarmStep, DER_ALARM_DEFAULTS, NO_DER_ALARMS, type DerAlarmState, type DerAlarmThresholds } from './alarms.js';
export { DerRepo, type DerRepoDeps } from './der-repo.js';
export { DerService, type DerServiceDeps } from './der-service.js';
export { registerDerHandlers, type DerHandlerDeps, type DerHandlerTarget } from './register-der-handlers.js';
export { derConfigSchema, derStrategyParamsOf, derAlarmThresholdsOf, type DerConfig } from './der-config.js';
