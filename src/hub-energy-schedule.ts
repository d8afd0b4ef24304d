/**
 * The read model of one EVSE's limits for the API: the last decision's limits with their
 * sources, what the dispatcher did, and the composite schedule over the next durationS (the
 * CSMS's profiles with the hub's own limits). Reads HubEnergy; changes nothing.
 */
import type { HubEnergy } from './hub-energy.js';
import type { Dispatcher } from './control/dispatcher.js';
import type { ChargerCapabilities } from './control/charger-capabilities.js';
import type { CurrentLimit } from './energy/limit.js';
import type { CompositeSchedule } from './energy/composite/index.js';
import { parseEvseKey } from './control/evse-key.js';

export interface EvseScheduleView {
  evseKey: string;
  limit?: CurrentLimit;
  limits: CurrentLimit[];
  status?: string;
  baseShareA?: number;
  dispatch?: ReturnType<Dispatcher['state']>;
  /** False when the charger refused the hub's profiles: nothing is enforced on the EVSE. */
  controllable: boolean;
  /** What the charger takes for charging profiles, once read after its boot. */
  capabilities?: ChargerCapabilities;
  schedule: CompositeSchedule;
}

export interface EvseScheduleSource {
  energy: Pick<HubEnergy, 'site' | 'live' | 'dispatcher' | 'capabilities' | 'lastDecision' | 'localLimitsOf' | 'composites' | 'csmsProfilesOf'>;
  nowMs: number;
}

/** The effective schedule of one EVSE with the source of every limit; undefined for an unknown EVSE. */
export function evseScheduleView(src: EvseScheduleSource, evseKey: string, durationS: number): EvseScheduleView | undefined {
  const { energy, nowMs } = src;
  const model = energy.site.evses.find((e) => e.key === evseKey);
  const parsed = parseEvseKey(evseKey);
  if (!model || !parsed) return undefined;
  const decision = energy.lastDecision()?.evses[evseKey];
  const live = energy.live.get(evseKey);
  const schedule = energy.composites.compute({
    nowMs,
    durationS,
    evseId: parsed.evseId,
    profiles: energy.csmsProfilesOf(parsed.stationId),
    ...(live?.transactionId && live.transactionStartedMs !== undefined ? { transaction: { id: live.transactionId, startedMs: live.transactionStartedMs } } : {}),
    evse: { phases: model.phases, voltageV: model.voltageV, maxCurrentA: model.maxCurrentA, ...(model.maxPowerW !== undefined ? { maxPowerW: model.maxPowerW } : {}) },
    rateUnit: 'A',
    localLimits: energy.localLimitsOf(evseKey),
  });
  return {
    evseKey,
    ...(decision ? { limit: decision.limit, limits: decision.limits, status: decision.status, baseShareA: decision.baseShare.maxCurrentA } : { limits: [] }),
    dispatch: energy.dispatcher.state(evseKey),
    // The hub cannot enforce anything on an EVSE whose charger refused its profiles: say so.
    controllable: energy.dispatcher.isControllable(evseKey),
    ...(energy.capabilities.isKnown(parsed.stationId) ? { capabilities: energy.capabilities.of(parsed.stationId) } : {}),
    schedule,
  };
}
