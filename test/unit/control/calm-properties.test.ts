import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { holdWhereFits } from '../../../src/control/hold-where-fits.js';
import { rampStateOf, reserveRamps } from '../../../src/control/ramp-reserve.js';
import { buildCircuitTree, type CircuitBudget } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';

const NOW_MS = 100_000;
const circuits: CircuitNode[] = [
  { id: 'main', maxCurrentA: { L1: 63, L2: 63, L3: 63 }, meterId: 'grid' },
  { id: 'a', parentId: 'main', maxCurrentA: { L1: 32, L2: 32, L3: 32 } },
];
const tree = buildCircuitTree(circuits);
const evses: EvseModel[] = [0, 1, 2, 3].map((i) => ({
  key: `S${i}/1`, circuitId: i < 2 ? 'a' : 'main', phases: i % 2 === 0 ? 3 : 1, phaseRotation: i % 2 === 0 ? ['L1', 'L2', 'L3'] : ['L1'], minCurrentA: 6, maxCurrentA: 32, priority: 1, voltageV: 230, bidirectional: false,
}));
const keyPhases = (e: EvseModel) => (e.phases === 3 ? ['L1', 'L2', 'L3'] : ['L1']);

const world = fc.record({
  availableA: fc.record({ main: fc.integer({ min: 0, max: 60 }), a: fc.integer({ min: 0, max: 30 }) }),
  evses: fc.array(
    fc.record({
      heldA: fc.integer({ min: 0, max: 32 }),
      targetA: fc.integer({ min: 0, max: 32 }),
      source: fc.constantFrom('fuse:main', 'circuit:a', 'paused:rotation', 'evse:inactive', 'csms:profile 1'),
      changedAgoS: fc.integer({ min: 0, max: 60 }),
      reportAgoS: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
      drawA: fc.integer({ min: 0, max: 32 }),
      capA: fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }),
    }),
    { minLength: 4, maxLength: 4 },
  ),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function inputs(w: World) {
  const live: Record<string, EvseLiveState> = {};
  const limits: Record<string, CurrentLimit> = {};
  const capsA: Record<string, number> = {};
  evses.forEach((e, i) => {
    const x = w.evses[i]!;
    live[e.key] = {
      key: e.key, active: true, controllable: true,
      offers: [{ fromMs: 0, limitA: 0 }, { fromMs: NOW_MS - x.changedAgoS * 1000, limitA: x.heldA }],
      ...(x.reportAgoS !== undefined ? { samples: [{ timeMs: NOW_MS - x.reportAgoS * 1000, currentA: keyPhases(e).map(() => x.drawA) }] } : {}),
    };
    // A cap of the CSMS, the operator or a strategy never lies below the decided limit's own source.
    limits[e.key] = { maxCurrentA: x.capA === undefined ? x.targetA : Math.min(x.targetA, x.capA), source: x.source };
    if (x.capA !== undefined) capsA[e.key] = x.capA;
  });
  const budget = (id: string, a: number): CircuitBudget => ({
    circuitId: id,
    phases: { L1: { limitA: 0, nonEvA: 0, availableA: a, allocatedA: 0 }, L2: { limitA: 0, nonEvA: 0, availableA: a, allocatedA: 0 }, L3: { limitA: 0, nonEvA: 0, availableA: a, allocatedA: 0 } },
  });
  return { nowMs: NOW_MS, tree, evses, live, limits, circuits: [budget('main', w.availableA.main), budget('a', w.availableA.a)], followS: 30, capsA };
}

/** Sum of limits per circuit and phase. */
function fits(limits: Record<string, CurrentLimit>, availableA: { main: number; a: number }): boolean {
  for (const p of ['L1', 'L2', 'L3']) {
    let main = 0;
    let a = 0;
    for (const e of evses) {
      if (!keyPhases(e).includes(p)) continue;
      const v = limits[e.key]?.maxCurrentA ?? 0;
      main += v;
      if (e.circuitId === 'a') a += v;
    }
    if (main > availableA.main + 1e-9 || a > availableA.a + 1e-9) return false;
  }
  return true;
}

describe('calming the loop never costs safety', () => {
  it('staging increases only ever lowers limits', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = inputs(w);
        const out = reserveRamps(input);
        for (const e of evses) expect(out[e.key]?.maxCurrentA ?? 0).toBeLessThanOrEqual(input.limits[e.key]?.maxCurrentA ?? 0);
      }),
      { numRuns: 500 },
    );
  });

  it('staging with the ramp states computed beforehand (as a decision does) gives the same limits', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = inputs(w);
        const rampStates = new Map(evses.map((e) => [e.key, rampStateOf(e, input.live[e.key], input.nowMs, input.followS)]));
        expect(reserveRamps({ ...input, rampStates })).toStrictEqual(reserveRamps(input));
      }),
      { numRuns: 500 },
    );
  });

  it('holding a decrease keeps what the EVSE holds only where every circuit phase still fits, never holds other reasons, and only cuts increases back', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = inputs(w);
        const out = holdWhereFits(input);
        for (const [i, e] of evses.entries()) {
          const x = w.evses[i]!;
          const got = out[e.key]?.maxCurrentA ?? 0;
          const targetA = input.limits[e.key]?.maxCurrentA ?? 0;
          // A hold never keeps more than a cap of the CSMS, the operator or a strategy.
          if (got > targetA) expect(got).toBeLessThanOrEqual(x.capA ?? Infinity);
          if (got !== targetA && targetA < x.heldA) {
            expect(got).toBe(Math.min(x.heldA, x.capA ?? Infinity));
            expect(['fuse:main', 'circuit:a', 'paused:rotation']).toContain(x.source);
          }
          if (got !== targetA && targetA > x.heldA) {
            expect(got).toBeGreaterThanOrEqual(x.heldA);
            expect(got).toBeLessThan(targetA);
          }
        }
        if (fits(input.limits, w.availableA)) expect(fits(out, w.availableA)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
