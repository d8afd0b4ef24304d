import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guard } from '../../../src/control/guard.js';
import { allocate, fitBaseSharesToGroups, gridPhases, initialRotationState, type EvseGroupLimit } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import { amount, siteArb } from './allocation-arbitraries.js';

/** A CSMS station-wide cap over a random subset of the EVSEs, in A per phase or W in total. */
const groupArb = fc.record({
  members: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
  inWatts: fc.boolean(),
  limitA: amount(0, 80),
  limitW: amount(0, 60_000),
});

type GroupRow = { members: boolean[]; inWatts: boolean; limitA: number; limitW: number };

function groupOf(evses: readonly EvseModel[], g: GroupRow): EvseGroupLimit {
  return {
    id: 'site',
    evseKeys: evses.filter((_, i) => g.members[i]).map((e) => e.key),
    ...(g.inWatts ? { maxPowerW: g.limitW } : { maxCurrentA: g.limitA }),
    source: 'csms:profile 1',
  };
}

/** Sum over the group's controllable EVSEs: W in total, or A on each grid phase. */
function usage(evses: readonly EvseModel[], group: EvseGroupLimit, currentA: (e: EvseModel) => number): { w: number; perPhaseA: Record<string, number> } {
  const perPhaseA: Record<string, number> = { L1: 0, L2: 0, L3: 0 };
  let w = 0;
  for (const e of evses) {
    if (!group.evseKeys.includes(e.key)) continue;
    const a = currentA(e);
    const phases = gridPhases(e);
    for (const p of phases) perPhaseA[p] = (perPhaseA[p] ?? 0) + a;
    w += a * phases.length * e.voltageV;
  }
  return { w, perPhaseA };
}

function within(group: EvseGroupLimit, u: { w: number; perPhaseA: Record<string, number> }, imposed: { w: number; perPhaseA: Record<string, number> }): void {
  // What uncontrollable EVSEs draw at their max is imposed: the rest must fit in what is left (or get 0).
  if (group.maxPowerW !== undefined) expect(u.w).toBeLessThanOrEqual(Math.max(0, group.maxPowerW - imposed.w) + 1e-6);
  if (group.maxCurrentA !== undefined) {
    for (const p of ['L1', 'L2', 'L3']) {
      expect(u.perPhaseA[p]).toBeLessThanOrEqual(Math.max(0, group.maxCurrentA - (imposed.perPhaseA[p] ?? 0)) + 1e-6);
    }
  }
}

describe('a limit on the sum of a group of EVSEs (CSMS station-wide cap)', () => {
  it('holds for the sum of the group in the allocation and in the guard, for any site', () => {
    fc.assert(
      fc.property(siteArb, groupArb, fc.array(amount(0, 60), { minLength: 16, maxLength: 16 }), (site, g, proposals) => {
        const group = groupOf(site.evses, g);
        const stuck = (e: EvseModel): boolean => site.live[e.key]?.controllable === false;
        const imposed = usage(site.evses.filter(stuck), group, (e) => Math.max(0, e.maxCurrentA));

        const allocated = allocate({ nowMs: 0, ...site, groupLimits: [group] }, initialRotationState());
        const byKey = new Map(allocated.allocations.map((a) => [a.evseKey, a.currentA]));
        within(group, usage(site.evses.filter((e) => !stuck(e)), group, (e) => byKey.get(e.key) ?? 0), imposed);

        const proposed: Record<string, CurrentLimit> = {};
        site.evses.forEach((e, i) => (proposed[e.key] = { maxCurrentA: proposals[i] ?? 0, source: 'strategy:random' }));
        const guarded = guard({ ...site, proposed, baseShares: {}, groupLimits: [group] });
        within(group, usage(site.evses.filter((e) => !stuck(e)), group, (e) => guarded.limits[e.key]?.maxCurrentA ?? 0), imposed);
      }),
      { numRuns: 300 },
    );
  });

  it('brings base shares (what holds when the hub is gone) within the group limit, never raising one', () => {
    fc.assert(
      fc.property(siteArb, groupArb, fc.array(amount(0, 40), { minLength: 16, maxLength: 16 }), (site, g, bases) => {
        const group = groupOf(site.evses, g);
        const shares: Record<string, CurrentLimit> = {};
        site.evses.forEach((e, i) => (shares[e.key] = { maxCurrentA: bases[i] ?? 0, source: 'base' }));
        const fitted = fitBaseSharesToGroups(shares, [group], site.evses);
        const none = { w: 0, perPhaseA: { L1: 0, L2: 0, L3: 0 } };
        within(group, usage(site.evses, group, (e) => fitted[e.key]?.maxCurrentA ?? 0), none);
        for (const e of site.evses) {
          const v = fitted[e.key]?.maxCurrentA ?? 0;
          expect(v).toBeLessThanOrEqual(shares[e.key]?.maxCurrentA ?? 0);
          expect(v === 0 || v >= e.minCurrentA || v === shares[e.key]?.maxCurrentA).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
