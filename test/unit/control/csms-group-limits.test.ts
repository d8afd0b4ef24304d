import { describe, expect, it } from 'vitest';
import { csmsGroupLimits } from '../../../src/control/csms-caps.js';
import { decide, initialDecideStates } from '../../../src/control/decide.js';
import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import { anActive, anEvse, aRoot, aSnapshot, T0 } from './builders.js';

const stationMax = (id: number, stackLevel: number, limit: number, rateUnit: 'A' | 'W' = 'W', startMs = 0): ChargingProfile => ({
  id, stackLevel, purpose: 'ChargingStationMaxProfile', kind: 'Absolute', evseId: 0,
  schedules: [{ startScheduleMs: startMs, rateUnit, periods: [{ startPeriodS: 0, limit }] }],
});

const threeStations = {
  evses: [anEvse('GA/1'), anEvse('GB/1'), anEvse('GC/1')],
  live: { 'GA/1': anActive('GA/1'), 'GB/1': anActive('GB/1'), 'GC/1': anActive('GC/1') },
};

describe('CSMS station-wide caps on the sum of EVSEs', () => {
  it('caps each station’s own EVSEs by its own evse-0 ChargingStationMaxProfile by default (proxy)', () => {
    const limits = csmsGroupLimits(aSnapshot({ ...threeStations, csmsProfiles: { GA: [stationMax(1, 0, 4830)] } }));
    expect(limits).toEqual([{ id: 'csms GA', evseKeys: ['GA/1'], maxPowerW: 4830, source: 'csms:profile 1' }]);
  });

  it('caps every EVSE of the site once when the stations share one evse 0 (hub mode)', () => {
    const cap = stationMax(9, 0, 4830);
    const limits = csmsGroupLimits(aSnapshot({ ...threeStations, csmsProfiles: { GA: [cap], GB: [cap], GC: [cap] }, csmsStationGroups: [['GA', 'GB', 'GC']] }));
    expect(limits).toEqual([{ id: 'csms site', evseKeys: ['GA/1', 'GB/1', 'GC/1'], maxPowerW: 4830, source: 'csms:profile 9' }]);
  });

  it('takes the highest stack level in force, in its own unit', () => {
    const later = stationMax(3, 5, 10, 'A', T0 + 60_000);
    const limits = csmsGroupLimits(aSnapshot({ ...threeStations, csmsProfiles: { GA: [stationMax(1, 0, 4830), stationMax(2, 1, 20, 'A'), later] } }));
    expect(limits).toEqual([{ id: 'csms GA', evseKeys: ['GA/1'], maxCurrentA: 20, source: 'csms:profile 2' }]);
  });

  it('keeps the site’s sum and the base shares within a site cap in the decision', () => {
    const cap = stationMax(9, 0, 4830);
    const snapshot = aSnapshot({ ...threeStations, circuits: [aRoot({ maxCurrentA: { L1: 100, L2: 100, L3: 100 } })], csmsProfiles: { GA: [cap], GB: [cap], GC: [cap] }, csmsStationGroups: [['GA', 'GB', 'GC']] });
    const result = decide(snapshot, initialDecideStates([]), { strategies: [], params: { marginA: 0, worstCaseNonEvA: { main: { L1: 0, L2: 0, L3: 0 } } } });
    const sumW = (pick: (k: string) => number): number => ['GA/1', 'GB/1', 'GC/1'].reduce((a, k) => a + pick(k) * 690, 0);
    expect(sumW((k) => result.limits[k]?.limit.maxCurrentA ?? 0)).toBeLessThanOrEqual(4830);
    expect(sumW((k) => result.limits[k]?.baseShare.maxCurrentA ?? 0)).toBeLessThanOrEqual(4830);
    // What fits is still used: one EVSE at 7 A (4,830 W), one base share at its 6 A minimum.
    expect(Object.values(result.limits).map((d) => d.limit.maxCurrentA).sort()).toEqual([0, 0, 7]);
    expect(Object.values(result.limits).map((d) => d.baseShare.maxCurrentA).sort()).toEqual([0, 0, 6]);
  });
});
