import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activePeriodAt, limitAt } from '../../../src/energy/composite/index.js';
import { csmsCaps, csmsGroupLimits } from '../../../src/control/csms-caps.js';
import { parseEvseKey } from '../../../src/control/evse-key.js';
import type { EvseGroupLimit } from '../../../src/energy/allocation/index.js';
import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { anActive, anEvse, aSnapshot, T0 } from './builders.js';

// The definitions as they were before the shortcut (a pass over every EVSE, whatever the
// profiles): the shortcut must give exactly the same answer.
function referenceCaps(snapshot: SiteSnapshot): Record<string, CurrentLimit> {
  const out: Record<string, CurrentLimit> = {};
  for (const evse of snapshot.evses) {
    const id = parseEvseKey(evse.key);
    if (!id) continue;
    const profiles = snapshot.csmsProfiles[id.stationId];
    if (!profiles || profiles.length === 0) continue;
    const live = snapshot.live[evse.key];
    const transaction = live?.transactionId !== undefined ? { id: live.transactionId, startedMs: live.transactionStartedMs ?? snapshot.nowMs } : undefined;
    const rating = { phases: evse.phases, voltageV: evse.voltageV, maxCurrentA: evse.maxCurrentA, maxPowerW: evse.maxPowerW };
    const effective = limitAt({ nowMs: snapshot.nowMs, durationS: 0, evseId: id.evseId, profiles, transaction, evse: rating, rateUnit: 'A' }, snapshot.nowMs);
    if (effective.source === 'evse:max') continue;
    out[evse.key] = { maxCurrentA: effective.limit, source: effective.source, reason: 'CSMS charging profiles in force' };
  }
  return out;
}

function referenceGroupLimits(snapshot: SiteSnapshot): EvseGroupLimit[] {
  const stationsWithEvses = new Map<string, string[]>();
  for (const evse of snapshot.evses) {
    const id = parseEvseKey(evse.key);
    if (id) stationsWithEvses.set(id.stationId, [...(stationsWithEvses.get(id.stationId) ?? []), evse.key]);
  }
  const groups = snapshot.csmsStationGroups ?? [...stationsWithEvses.keys()].map((s) => [s]);
  const out: EvseGroupLimit[] = [];
  for (const stations of groups) {
    const byId = new Map<number, ChargingProfile>();
    for (const s of stations) for (const p of snapshot.csmsProfiles[s] ?? []) if (p.evseId === 0 && p.purpose === 'ChargingStationMaxProfile') byId.set(p.id, p);
    let best: { profile: ChargingProfile; limit: number } | undefined;
    for (const profile of byId.values()) {
      const period = activePeriodAt(profile, { nowMs: snapshot.nowMs }, snapshot.nowMs);
      if (period && (!best || profile.stackLevel > best.profile.stackLevel)) best = { profile, limit: period.limit };
    }
    if (!best) continue;
    const evseKeys = stations.flatMap((s) => stationsWithEvses.get(s) ?? []);
    if (evseKeys.length === 0) continue;
    const unit = best.profile.schedules[0]?.rateUnit ?? 'A';
    out.push({ id: stations.length === 1 ? `csms ${stations[0] ?? ''}` : 'csms site', evseKeys, ...(unit === 'W' ? { maxPowerW: best.limit } : { maxCurrentA: best.limit }), source: `csms:profile ${best.profile.id}` });
  }
  return out;
}

const STATIONS = ['GA', 'GB', 'GC'];
const profileArb: fc.Arbitrary<ChargingProfile> = fc.record({
  id: fc.integer({ min: 1, max: 6 }),
  stackLevel: fc.integer({ min: 0, max: 3 }),
  purpose: fc.constantFrom('ChargingStationMaxProfile' as const, 'TxDefaultProfile' as const),
  evseId: fc.integer({ min: 0, max: 2 }),
  rateUnit: fc.constantFrom('A' as const, 'W' as const),
  limit: fc.integer({ min: 0, max: 64 }),
  startOffsetS: fc.integer({ min: -60, max: 60 }),
}).map(({ id, stackLevel, purpose, evseId, rateUnit, limit, startOffsetS }) => ({
  id, stackLevel, purpose, kind: 'Absolute', evseId,
  schedules: [{ startScheduleMs: T0 + startOffsetS * 1000, rateUnit, periods: [{ startPeriodS: 0, limit: rateUnit === 'W' ? limit * 230 : limit }] }],
}));

describe('CSMS caps: no pass over the EVSEs when no station has a profile that could apply', () => {
  it('gives nothing when there are no profiles, or only profiles that make no station-wide cap', () => {
    const evses = [anEvse('GA/1'), anEvse('GB/1')];
    const live = { 'GA/1': anActive('GA/1'), 'GB/1': anActive('GB/1') };
    expect(csmsCaps(aSnapshot({ evses, live, csmsProfiles: {} }))).toEqual({});
    expect(csmsCaps(aSnapshot({ evses, live, csmsProfiles: { GA: [], GB: [] } }))).toEqual({});
    expect(csmsGroupLimits(aSnapshot({ evses, live, csmsProfiles: {}, csmsStationGroups: [['GA', 'GB']] }))).toEqual([]);
  });

  it('gives exactly what the pass over every EVSE gives, for any profiles and groupings', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...STATIONS), fc.array(profileArb, { maxLength: 3 })),
        fc.boolean(),
        (csmsProfiles, oneGroup) => {
          const evses = [anEvse('GA/1'), anEvse('GA/2'), anEvse('GB/1'), anEvse('GC/1')];
          const live = Object.fromEntries(evses.map((e) => [e.key, anActive(e.key)]));
          const snapshot = aSnapshot({ evses, live, csmsProfiles, ...(oneGroup ? { csmsStationGroups: [STATIONS] } : {}) });
          expect(csmsCaps(snapshot)).toEqual(referenceCaps(snapshot));
          expect(csmsGroupLimits(snapshot)).toEqual(referenceGroupLimits(snapshot));
        },
      ),
      { numRuns: 300 },
    );
  });
});
