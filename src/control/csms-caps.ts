import { activePeriodAt, limitAt } from '../energy/composite/index.js';
import type { EvseGroupLimit } from '../energy/allocation/index.js';
import type { ChargingProfile } from '../energy/charging-profile.js';
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
  // No station has CSMS profiles (the usual case): nothing to combine, no pass over the EVSEs.
  if (!Object.values(snapshot.csmsProfiles).some((profiles) => profiles.length > 0)) return out;
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

/**
 * The CSMS's station-wide caps as limits on the sum of EVSEs: per group of stations that share
 * one evse 0 (hub mode: the whole site; otherwise each station alone, see
 * SiteSnapshot.csmsStationGroups), the ChargingStationMaxProfile on evse 0 in force now (highest
 * stack level wins) caps the sum of the group's EVSEs, in its own unit: A on each grid phase, or
 * W in total. Pure.
 */
export function csmsGroupLimits(snapshot: SiteSnapshot): EvseGroupLimit[] {
  // Only a ChargingStationMaxProfile on evse 0 makes a group limit: without one anywhere, none.
  if (!Object.values(snapshot.csmsProfiles).some((profiles) => profiles.some(isStationMax))) return [];
  const stationsWithEvses = new Map<string, string[]>();
  for (const evse of snapshot.evses) {
    const id = parseEvseKey(evse.key);
    if (id) stationsWithEvses.set(id.stationId, [...(stationsWithEvses.get(id.stationId) ?? []), evse.key]);
  }
  const groups = snapshot.csmsStationGroups ?? [...stationsWithEvses.keys()].map((s) => [s]);
  const out: EvseGroupLimit[] = [];
  for (const stations of groups) {
    const byId = new Map<number, ChargingProfile>();
    for (const s of stations) {
      for (const p of snapshot.csmsProfiles[s] ?? []) {
        if (isStationMax(p)) byId.set(p.id, p);
      }
    }
    let best: { profile: ChargingProfile; limit: number } | undefined;
    for (const profile of byId.values()) {
      const period = activePeriodAt(profile, { nowMs: snapshot.nowMs }, snapshot.nowMs);
      if (!period) continue;
      if (!best || profile.stackLevel > best.profile.stackLevel) best = { profile, limit: period.limit };
    }
    if (!best) continue;
    const evseKeys = stations.flatMap((s) => stationsWithEvses.get(s) ?? []);
    if (evseKeys.length === 0) continue;
    const unit = best.profile.schedules[0]?.rateUnit ?? 'A';
    out.push({
      id: stations.length === 1 ? `csms ${stations[0] ?? ''}` : 'csms site',
      evseKeys,
      ...(unit === 'W' ? { maxPowerW: best.limit } : { maxCurrentA: best.limit }),
      source: `csms:profile ${best.profile.id}`,
    });
  }
  return out;
}

function isStationMax(p: ChargingProfile): boolean {
  return p.evseId === 0 && p.purpose === 'ChargingStationMaxProfile';
}
