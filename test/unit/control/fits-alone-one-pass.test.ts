import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitsAlone, mayStillDrawA, type FitsAloneInput } from '../../../src/control/fits-alone.js';
import { buildCircuitTree, evseVoltageV, gridPhases, pathToRoot, roomKeysOf, roomLeft, type CircuitBudget } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { Phase } from '../../../src/energy/phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';

/**
 * fitsAlone takes the room once with every EVSE at its worst and puts each riser's own share
 * back; the definition is one room per riser with that riser at what it holds. Values here are
 * multiples of 0.5 A (exact in binary), so both orders of summing give the same numbers and the
 * results must be equal, not merely close.
 */
function fitsAloneByDefinition(input: FitsAloneInput): Record<string, number> {
  const out: Record<string, number> = {};
  const heldOf = (e: EvseModel): number | undefined => input.live[e.key]?.offers?.at(-1)?.limitA;
  const risers = input.evses.filter((e) => {
    const held = heldOf(e);
    const a = input.limits[e.key]?.maxCurrentA ?? 0;
    return held !== undefined && a > held && input.live[e.key]?.active === true && input.live[e.key]?.controllable !== false;
  });
  const worst = new Map(input.evses.map((e) => [e.key, mayStillDrawA(input.live[e.key], input.limits[e.key]?.maxCurrentA ?? 0, input.nowMs, input.followS, input.toleranceA)]));
  for (const e of risers) {
    const held = heldOf(e) ?? 0;
    const wantA = input.limits[e.key]?.maxCurrentA ?? 0;
    const room = roomLeft(input.tree, input.evses, input.circuits, (o) => (o.key === e.key ? held : (worst.get(o.key) ?? 0)));
    const phaseRoomA = Math.min(...roomKeysOf(input.tree, e).map((k) => room.phaseA.get(k) ?? Infinity));
    const perA = gridPhases(e).length * evseVoltageV(e);
    const powerRoomA = Math.min(...pathToRoot(input.tree, e.circuitId).map((c) => (room.powerW.get(c) ?? Infinity) / perA));
    const fitA = Math.floor((held + Math.min(phaseRoomA, powerRoomA)) * 10 + 1e-7) / 10;
    const a = Math.min(wantA, fitA);
    if (a <= held || (held < e.minCurrentA && a < e.minCurrentA)) continue;
    out[e.key] = a;
  }
  return out;
}

const NOW_MS = 1_000_000;
const circuits: CircuitNode[] = [
  { id: 'main', maxCurrentA: { L1: 200, L2: 200, L3: 200 }, maxPowerW: 120_000 },
  { id: 'a', parentId: 'main', maxCurrentA: { L1: 63, L2: 63, L3: 63 } },
  { id: 'b', parentId: 'main', maxCurrentA: { L1: 63, L2: 63, L3: 63 }, maxPowerW: 30_000 },
  { id: 'b1', parentId: 'b', maxCurrentA: { L1: 32, L2: 32, L3: 32 } },
];
const tree = buildCircuitTree(circuits);

const half = (max: number) => fc.integer({ min: 0, max: max * 2 }).map((n) => n / 2);
const rotation = fc.constantFrom<Phase[]>(['L1'], ['L2'], ['L3'], ['L1', 'L2', 'L3'], ['L2', 'L3', 'L1'], ['L3', 'L1', 'L2'], ['L1', 'L1', 'L2']);
const evseArb = fc.record({
  circuitId: fc.constantFrom('main', 'a', 'b', 'b1'),
  rotation,
  voltageV: fc.constantFrom(230, 240),
  minA: fc.constantFrom(0, 6),
  offers: fc.array(fc.record({ agoS: fc.integer({ min: 0, max: 120 }), limitA: half(32) }), { maxLength: 3 }),
  report: fc.option(fc.record({ agoS: fc.integer({ min: 0, max: 120 }), currentA: half(32) }), { nil: undefined }),
  decidedA: half(32),
  active: fc.boolean(),
  controllable: fc.boolean(),
});
const budgetArb = fc.record({ main: half(200), a: half(63), b: half(63), b1: half(32), mainW: half(120_000), bW: half(30_000) });

function aWorld(rows: fc.Arbitrary<Array<typeof evseArb extends fc.Arbitrary<infer T> ? T : never>>) {
  return fc.tuple(rows, budgetArb).map(([list, avail]) => {
    const evses: EvseModel[] = [];
    const live: Record<string, EvseLiveState> = {};
    const limits: Record<string, CurrentLimit> = {};
    list.forEach((r, i) => {
      const key = `S${i}/1`;
      evses.push({ key, circuitId: r.circuitId, phases: r.rotation.length === 1 ? 1 : 3, phaseRotation: r.rotation, minCurrentA: r.minA, maxCurrentA: 32, priority: 1, voltageV: r.voltageV, bidirectional: false });
      const offers = [...r.offers].sort((x, y) => y.agoS - x.agoS).map((o) => ({ fromMs: NOW_MS - o.agoS * 1000, limitA: o.limitA }));
      live[key] = {
        key,
        active: r.active,
        controllable: r.controllable,
        ...(offers.length > 0 ? { offers } : {}),
        ...(r.report ? { samples: [{ timeMs: NOW_MS - r.report.agoS * 1000, currentA: r.rotation.map(() => r.report?.currentA ?? 0) }] } : {}),
      };
      limits[key] = { maxCurrentA: r.decidedA, source: 'fuse:main' };
    });
    const phase = (a: number) => ({ limitA: 0, nonEvA: 0, availableA: a, allocatedA: 0 });
    const budget = (id: string, a: number, w?: number): CircuitBudget => ({
      circuitId: id,
      phases: { L1: phase(a), L2: phase(a), L3: phase(a) },
      ...(w !== undefined ? { power: { limitW: 0, nonEvW: 0, availableW: w, allocatedW: 0, source: `circuit:${id}` } } : {}),
    });
    const input: FitsAloneInput = {
      nowMs: NOW_MS,
      tree,
      evses,
      live,
      limits,
      followS: 30,
      circuits: [budget('main', avail.main, avail.mainW), budget('a', avail.a), budget('b', avail.b, avail.bW), budget('b1', avail.b1)],
    };
    return input;
  });
}

describe('increases that depend on no decrease, in one pass over the site', () => {
  it('give exactly what one room per riser gives, on any tree position, phase rotation and power limit', () => {
    fc.assert(
      fc.property(aWorld(fc.array(evseArb, { minLength: 1, maxLength: 12 })), (input) => {
        expect(fitsAlone(input)).toEqual(fitsAloneByDefinition(input));
      }),
      { numRuns: 500 },
    );
  });

  it('give the same on a large site where most EVSEs rise at once', () => {
    const world = aWorld(fc.array(evseArb, { minLength: 150, maxLength: 200 }));
    fc.assert(
      fc.property(world, (input) => {
        expect(fitsAlone(input)).toEqual(fitsAloneByDefinition(input));
      }),
      { numRuns: 10 },
    );
  });
});
