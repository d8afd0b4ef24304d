import fc from 'fast-check';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import { PHASES, type Phase, type PerPhase } from '../../../src/energy/phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';

/** Random sites for property tests: trees of depth <= 3, 1- and 3-phase EVSEs with any rotation. */
export interface RandomSite {
  circuits: CircuitNode[];
  evses: EvseModel[];
  live: Record<string, EvseLiveState>;
  nonEvLoadA: Record<string, Partial<PerPhase>>;
  caps: Record<string, CurrentLimit[]>;
  marginA: number;
  siteLimitW?: { powerW: number; source: string };
}

/** A number in [min, max] in steps of 0.1, spread more evenly than fc.double (which favours extremes). */
export function amount(min: number, max: number): fc.Arbitrary<number> {
  return fc.integer({ min: Math.round(min * 10), max: Math.round(max * 10) }).map((v) => v / 10);
}

const perPhaseArb = (min: number, max: number): fc.Arbitrary<PerPhase> =>
  fc.record({ L1: amount(min, max), L2: amount(min, max), L3: amount(min, max) });

/** undefined most of the time, a value in one case out of `outOf`. */
function sometimes<T>(arb: fc.Arbitrary<T>, outOf: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: outOf - 1 }, { arbitrary: arb, weight: 1 });
}

const rotationArb: fc.Arbitrary<Phase[]> = fc.oneof(
  fc.constantFrom<Phase>(...PHASES).map((p) => [p]),
  fc.constantFrom<Phase[]>(['L1', 'L2', 'L3'], ['L2', 'L3', 'L1'], ['L3', 'L1', 'L2'], ['L1', 'L3', 'L2'], ['L3', 'L2', 'L1'], ['L2', 'L1', 'L3']),
);

/** Circuits: a root and up to 6 more, each below an earlier one of depth < 3. */
export const circuitsArb: fc.Arbitrary<CircuitNode[]> = fc
  .array(
    fc.record({
      parentPick: fc.nat(),
      maxCurrentA: perPhaseArb(0, 120),
      maxPowerW: sometimes(amount(0, 80_000), 3),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((rows) => {
    const depth: number[] = [];
    return rows.map((r, i) => {
      const node: CircuitNode = { id: `c${i}`, maxCurrentA: r.maxCurrentA };
      if (r.maxPowerW !== undefined) node.maxPowerW = r.maxPowerW;
      if (i === 0) {
        depth.push(0);
        return node;
      }
      const eligible = depth.map((d, j) => (d < 3 ? j : -1)).filter((j) => j >= 0);
      const parent = eligible[r.parentPick % eligible.length] as number;
      depth.push((depth[parent] as number) + 1);
      return { ...node, parentId: `c${parent}` };
    });
  });

const evseRowArb = fc.record({
  circuitPick: fc.nat(),
  phaseRotation: rotationArb,
  minCurrentA: amount(0, 10),
  extraA: fc.oneof({ arbitrary: amount(0, 30), weight: 9 }, { arbitrary: amount(-4, 0), weight: 1 }),
  priority: fc.constantFrom(0, 0.5, 1, 1, 2, 5),
  maxPowerW: sometimes(amount(0, 30_000), 6),
  active: fc.constantFrom(true, true, true, true, false),
  controllable: fc.constantFrom(true, true, true, true, true, true, true, true, true, false),
  measured: fc.option(fc.array(amount(0, 40), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  caps: fc.oneof(
    { arbitrary: fc.constant<number[]>([]), weight: 3 },
    { arbitrary: fc.array(amount(-2, 45), { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
});

export const siteArb: fc.Arbitrary<RandomSite> = fc
  .record({
    circuits: circuitsArb,
    rows: fc.array(evseRowArb, { minLength: 1, maxLength: 16 }),
    loads: fc.array(fc.option(perPhaseArb(-20, 90), { nil: undefined }), { minLength: 7, maxLength: 7 }),
    marginA: amount(0, 5),
    siteLimitW: sometimes(amount(0, 100_000), 4),
  })
  .map(({ circuits, rows, loads, marginA, siteLimitW }) => {
    const evses: EvseModel[] = [];
    const live: Record<string, EvseLiveState> = {};
    const caps: Record<string, CurrentLimit[]> = {};
    rows.forEach((r, i) => {
      const key = `s${i}/1`;
      const circuit = circuits[r.circuitPick % circuits.length] as CircuitNode;
      const evse: EvseModel = {
        key,
        circuitId: circuit.id,
        phases: r.phaseRotation.length === 1 ? 1 : 3,
        phaseRotation: r.phaseRotation,
        minCurrentA: r.minCurrentA,
        maxCurrentA: Math.max(0, r.minCurrentA + r.extraA),
        priority: r.priority,
        voltageV: 230,
        bidirectional: false,
      };
      if (r.maxPowerW !== undefined) evse.maxPowerW = r.maxPowerW;
      evses.push(evse);
      live[key] = { key, active: r.active || !r.controllable, controllable: r.controllable };
      if (r.measured) (live[key] as EvseLiveState).measuredCurrentA = r.measured;
      caps[key] = r.caps.map((c, j) => ({ maxCurrentA: c, source: `csms:profile ${j}` }));
    });
    const nonEvLoadA: Record<string, Partial<PerPhase>> = {};
    circuits.forEach((c, i) => {
      const l = loads[i];
      if (l) nonEvLoadA[c.id] = l;
    });
    const site: RandomSite = { circuits, evses, live, nonEvLoadA, caps, marginA };
    if (siteLimitW !== undefined) site.siteLimitW = { powerW: siteLimitW, source: 'override:api' };
    return site;
  });

/** Tightest cap per EVSE key, as plain numbers. */
export function capsA(site: RandomSite): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, list] of Object.entries(site.caps)) out[k] = list.map((c) => c.maxCurrentA);
  return out;
}
