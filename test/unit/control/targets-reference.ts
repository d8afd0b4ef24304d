import type { EvseDecision } from '../../../src/control/decide.js';
import type { EvseTarget } from '../../../src/control/dispatcher.js';
import type { EvseModel } from '../../../src/energy/site-model.js';

/** The dispatcher's target of one decision on one EVSE, built afresh (what the controller's targets must equal). */
export function freshTargetOf(d: EvseDecision, e: EvseModel): EvseTarget {
  return {
    limitA: d.limit.maxCurrentA,
    baseA: d.baseShare.maxCurrentA,
    numberPhases: e.phases,
    minA: e.minCurrentA,
    voltageV: e.voltageV,
    ...(d.aloneA !== undefined ? { aloneA: d.aloneA } : {}),
    ...(d.setpointW !== undefined ? { setpointW: d.setpointW, dischargeLimitW: d.dischargeLimitW, operationMode: d.setpointMode } : {}),
  };
}
