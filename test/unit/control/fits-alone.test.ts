import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitsAlone, mayStillDrawA } from '../../../src/control/fits-alone.js';
import { decide, initialDecideStates } from '../../../src/control/decide.js';
import { buildCircuitTree, type CircuitBudget } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import { aGridReading, anActive, anEvse, aRoot, aSnapshot, T0 } from './builders.js';

const evses = ['cs1/1', 'cs1/2', 'cs1/3'].map((k) => anEvse(k));
const tree = buildCircuitTree([aRoot()]);

/** The root with this much available per phase for EVs. */
function budget(availableA: number): CircuitBudget[] {
  const p = { limitA: 32, nonEvA: 0, availableA, allocatedA: 0 };
  return [{ circuitId: 'main', phases: { L1: p, L2: p, L3: p } }];
}
const share = (a: number): CurrentLimit => ({ maxCurrentA: a, source: 'fuse:main', reason: 'share' });

/** EVSE 1 was just lowered from 16 to 10 A (2 s ago, no report since); EVSE 3 just plugged in (holds 0 A). */
const live = {
  'cs1/1': anActive('cs1/1', { offers: [{ fromMs: T0 - 600_000, limitA: 16 }, { fromMs: T0 - 2_000, limitA: 10 }], samples: [{ timeMs: T0 - 5_000, currentA: [16, 16, 16] }] }),
  'cs1/2': anActive('cs1/2', { offers: [{ fromMs: T0 - 600_000, limitA: 0 }] }),
  'cs1/3': anActive('cs1/3', { offers: [{ fromMs: T0 - 600_000, limitA: 0 }] }),
};

describe('increases that depend on no decrease', () => {
  it('counts an EV at the offers it may still be following until a report shows it followed', () => {
    expect(mayStillDrawA(live['cs1/1'], 10, T0, 30)).toBe(16);
    const followed = { ...live['cs1/1'], samples: [{ timeMs: T0 - 500, currentA: [10.4, 10.2, 10] }] };
    expect(mayStillDrawA(followed, 10, T0, 30)).toBe(10.4);
    // After followS the old offer no longer counts.
    expect(mayStillDrawA(live['cs1/1'], 10, T0 + 40_000, 30)).toBe(10);
  });

  it('lets a start go at once where its minimum fits next to the old, higher offer (earlier: it waited for the decrease to be followed)', () => {
    const out = fitsAlone({ nowMs: T0, tree, evses, live, circuits: budget(24), limits: { 'cs1/1': share(10), 'cs1/2': share(0), 'cs1/3': share(12) }, followS: 30 });
    expect(out).toEqual({ 'cs1/3': 8 });
  });

  it('gives a start nothing when its minimum does not fit next to the old offers', () => {
    const out = fitsAlone({ nowMs: T0, tree, evses, live, circuits: budget(21), limits: { 'cs1/1': share(10), 'cs1/2': share(0), 'cs1/3': share(11) }, followS: 30 });
    expect(out).toEqual({});
  });

  it('decide tells the dispatcher how far an increase may go without waiting', () => {
    const snapshot = aSnapshot({ evses, live, meters: { grid: aGridReading(16, T0) }, circuits: [aRoot({ maxCurrentA: { L1: 40, L2: 40, L3: 40 } })] });
    const result = decide(snapshot, initialDecideStates([]), { strategies: [], params: { marginA: 1 } });
    const a3 = result.limits['cs1/3'];
    expect(a3?.limit.maxCurrentA).toBeGreaterThan(0);
    expect(a3?.aloneA).toBeGreaterThanOrEqual(6);
    expect(a3?.aloneA).toBeLessThanOrEqual(a3?.limit.maxCurrentA ?? 0);
  });
});

describe('increases that depend on no decrease: property', () => {
  const evseArb = fc.record({
    oldA: fc.integer({ min: 0, max: 16 }),
    heldA: fc.integer({ min: 0, max: 16 }),
    decidedA: fc.integer({ min: 0, max: 16 }),
    agoS: fc.integer({ min: 0, max: 60 }),
    reportA: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
  });
  it('whatever the EVs draw while following (up to what they may still draw), the increases sent at aloneA, the others at their decided limits, stay within the budget', () => {
    fc.assert(
      fc.property(fc.array(evseArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 60 }), fc.subarray([0, 1, 2, 3, 4]), (rows, availableA, sentNow) => {
        const evs = rows.map((_, i) => anEvse(`cs${i}/1`));
        const liveAll = Object.fromEntries(
          rows.map((r, i) => [
            `cs${i}/1`,
            anActive(`cs${i}/1`, {
              offers: [{ fromMs: T0 - 600_000, limitA: r.oldA }, { fromMs: T0 - r.agoS * 1000, limitA: r.heldA }],
              ...(r.reportA !== undefined ? { samples: [{ timeMs: T0 - 500, currentA: [r.reportA, r.reportA, r.reportA] }] } : {}),
            }),
          ]),
        );
        const limits = Object.fromEntries(rows.map((r, i) => [`cs${i}/1`, share(r.decidedA)]));
        // The decision's limits fit the budget (the guard's job), or the property says nothing.
        fc.pre(rows.reduce((sum, r) => sum + r.decidedA, 0) <= availableA);
        const alone = fitsAlone({ nowMs: T0, tree, evses: evs, live: liveAll, circuits: budget(availableA), limits, followS: 30 });
        for (const [key, a] of Object.entries(alone)) {
          // The EVSE at its aloneA; every other EV at the most it may still draw (an old offer it may
          // still follow, or its decided limit; some of them also raised now to their own aloneA).
          let load = a;
          rows.forEach((r, i) => {
            const k = `cs${i}/1`;
            if (k === key) return;
            const most = sentNow.includes(i) && alone[k] !== undefined ? Math.max(alone[k], mayStillDrawA(liveAll[k], r.decidedA, T0, 30)) : mayStillDrawA(liveAll[k], r.decidedA, T0, 30);
            load += most;
          });
          expect(load).toBeLessThanOrEqual(availableA + 1e-6);
          expect(a).toBeLessThanOrEqual(limits[key]?.maxCurrentA ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
