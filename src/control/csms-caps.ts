import { limitAt } from '../energy/composite/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { SiteSnapshot } from '../energy/strategy.js';
import { parseEvseKey } from './evse-key.js';

/**
 * The CSMS's limit in force now for each EVSE whose station has CSMS profiles, combined as
 * OCPP specifies (composite engine), in A per phase with the profile as source. EVSEs whose
 * station has no CSMS profile get no entry. Pure.
 */
export function csmsCaps(snapshot: SiteSnapshot): Record<string, CurrentLimit> {
  const out: Record<string, CurrentLimit> = {};
  for (const evse of snapshot.evses) {
    const id = parseEvseKey(evse.key);
    if (!id) continue;
    const profiles = snapshot.csmsProfiles[id.stationId];
    if (!profiles || profiles.length === 0) continue;
    const live = snapshot.live[evse.key];
    const transaction =
      live?.transactionId !== undefined
        ? { id: live.transactionId, startedMs: live.transactionStartedMs ?? snapshot.nowMs }
        : undefined;
    const rating = { phases: evse.phases, voltageV: evse.voltageV, maxCurrentA: evse.maxCurrentA, maxPowerW: evse.maxPowerW };
    const effective = limitAt(
      { nowMs: snapshot.nowMs, durationS: 0, evseId: id.evseId, profiles, transaction, evse: rating, rateUnit: 'A' },
      snapshot.nowMs,
    );
    if (effective.source === 'evse:max') continue;
    out[evse.key] = { maxCurrentA: effective.limit, source: effective.source, reason: 'CSMS charging profiles in force' };
  }
  return out;
}
