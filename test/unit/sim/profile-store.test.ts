import { describe, expect, it } from 'vitest';
import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import { clearProfiles, installProfile } from '../../../src/sim/profile-store.js';

const profile = (over: Partial<ChargingProfile>): ChargingProfile => ({
  id: 1,
  stackLevel: 0,
  purpose: 'TxDefaultProfile',
  kind: 'Relative',
  evseId: 1,
  schedules: [{ rateUnit: 'A', periods: [{ startPeriodS: 0, limit: 16 }] }],
  ...over,
});

describe('the simulator profile store', () => {
  it('replaces a profile with the same id', () => {
    const list = installProfile([profile({ id: 1 })], profile({ id: 1, stackLevel: 3 }));
    expect(list.map((p) => [p.id, p.stackLevel])).toEqual([[1, 3]]);
  });

  it('replaces a profile with the same purpose, stack level and EVSE', () => {
    expect(installProfile([profile({ id: 1 })], profile({ id: 2 })).map((p) => p.id)).toEqual([2]);
  });

  it('keeps profiles of other EVSEs', () => {
    expect(installProfile([profile({ id: 1, evseId: 2 })], profile({ id: 2 }))).toHaveLength(2);
  });

  it('clears by purpose and reports how many it removed', () => {
    const r = clearProfiles([profile({ id: 1 }), profile({ id: 2, purpose: 'TxProfile' })], { purpose: 'TxProfile' });
    expect(r.removed).toBe(1);
    expect(r.profiles.map((p) => p.id)).toEqual([1]);
  });

  it('clears by id whatever the other criteria say', () => {
    expect(clearProfiles([profile({ id: 1 })], { id: 1, evseId: 5 }).removed).toBe(1);
  });
});
