import { describe, expect, it } from 'vitest';
import type { PerPhase } from '../../../src/energy/phases.js';
import type { FollowChargerSpec, WriteRecord } from '../sim/follow-charger.js';
import { BuildingLoad } from '../sim/building-load.js';
import { capacityAllows, clawbacks, firstOfferMs, judgeOverloads, type JudgedCharger, type JudgedCircuit } from './loop-judge.js';

/** A 3-phase charger whose offer steps as given (each step a hub write) and whose EV follows `followDelayS` late. */
function charger(id: string, offers: { atMs: number; a: number }[], o: { followDelayS?: number; reportPeriodS?: number; wantA?: number; txStartMs?: number } = {}): JudgedCharger {
  const spec: FollowChargerSpec = { id, version: '1.6', phases: 3, rotation: ['L1', 'L2', 'L3'], maxCurrentA: 32, followDelayS: o.followDelayS ?? 5, reportPeriodS: o.reportPeriodS ?? 10 };
  const txStartMs = o.txStartMs ?? 0;
  const offeredAt = (t: number) => offers.filter((x) => x.atMs <= t).pop()?.a ?? 0;
  const drawAt = (t: number) => {
    const seen = t - spec.followDelayS * 1000;
    if (t < txStartMs || seen < txStartMs) return 0;
    const a = offeredAt(seen);
    return a >= 6 ? Math.min(o.wantA ?? 32, a) : 0;
  };
  const writes: WriteRecord[] = offers.map((x, i) => ({ atMs: x.atMs, profileId: 1003, stackLevel: 2, offeredBeforeA: offers[i - 1]?.a ?? 0, offeredAfterA: x.a }));
  return {
    id,
    spec,
    writes,
    plugMs: txStartMs,
    txStartMs,
    offeredAt,
    drawAt,
    gridDrawAt: (t: number): PerPhase => ({ L1: drawAt(t), L2: drawAt(t), L3: drawAt(t) }),
    drawChangeTimes: () => [txStartMs, txStartMs + spec.followDelayS * 1000, ...offers.map((x) => x.atMs + spec.followDelayS * 1000)],
  };
}
const flat = (a: number): PerPhase => ({ L1: a, L2: a, L3: a });
const main = (chargers: JudgedCharger[], limitA = 20): JudgedCircuit => ({ id: 'main', limitA, carriesBuilding: true, chargers });

describe('the loop judge', () => {
  it('blames the hub for an overload that an increase it wrote caused while the building stood still', () => {
    const building = new BuildingLoad(flat(10), 0);
    const r = judgeOverloads([main([charger('A', [{ atMs: 1000, a: 16 }])])], building, 0, 20_000);
    expect(r.hubCausedS).toBe(14 * 3); // 6 s to 20 s, three phases
    expect(r.anyS).toBe(14 * 3);
  });

  it('blames the building for a step up, and for an increase written before the step that lands after it', () => {
    const building = new BuildingLoad(flat(10), 0);
    building.step(3000, flat(15)); // after the write at 1 s, before the EV follows at 6 s
    const r = judgeOverloads([main([charger('A', [{ atMs: 1000, a: 8 }])])], building, 0, 20_000);
    expect(r.anyS).toBe(14 * 3);
    expect(r.hubCausedS).toBe(0);

    const stepOnly = new BuildingLoad(flat(10), 0);
    stepOnly.step(8000, flat(25));
    expect(judgeOverloads([main([charger('B', [{ atMs: 0, a: 6 }])])], stepOnly, 0, 20_000)).toMatchObject({ hubCausedS: 0, anyS: 12 * 3 });
  });

  it('blames the hub for an increase written after the building stepped up', () => {
    const building = new BuildingLoad(flat(10), 0);
    building.step(500, flat(12));
    const r = judgeOverloads([main([charger('A', [{ atMs: 1000, a: 9 }])])], building, 0, 20_000);
    expect(r.hubCausedS).toBe(14 * 3);
  });

  it('finds an increase clawed back before the charger could report, unless the building stepped in between', () => {
    const c = charger('A', [{ atMs: 0, a: 10 }, { atMs: 20_000, a: 14 }, { atMs: 26_000, a: 12 }], { followDelayS: 5, reportPeriodS: 10 });
    expect(clawbacks([c], [])).toEqual([{ charger: 'A', increaseAtMs: 20_000, fromA: 10, toA: 14, decreaseAtMs: 26_000, downToA: 12 }]);
    expect(clawbacks([c], [23_000])).toEqual([]);
    const late = charger('B', [{ atMs: 0, a: 10 }, { atMs: 20_000, a: 14 }, { atMs: 36_000, a: 12 }]);
    expect(clawbacks([late], [])).toEqual([]);
  });

  it('times the first offer from the plug-in and sees room only for what is not taken', () => {
    const waiting = charger('W', [{ atMs: 2500, a: 6 }], { txStartMs: 1000 });
    expect(firstOfferMs(waiting)).toBe(2500);
    const building = new BuildingLoad(flat(5), 0);
    const other = charger('O', [{ atMs: 0, a: 10 }]);
    expect(capacityAllows(waiting, [main([waiting, other], 22)], building, 1, 1000)).toBe(true); // 22 - 1 - 5 - 10 = 6
    expect(capacityAllows(waiting, [main([waiting, other], 21)], building, 1, 1000)).toBe(false);
  });
});
