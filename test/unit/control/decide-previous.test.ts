import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, initialDecideStates, type DecideResult, type DecideStates, type EvseDecision } from '../../../src/control/decide.js';
import { allocate } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot, Strategy } from '../../../src/energy/strategy.js';
import { aGridReading, anActive, anEvse, T0 } from './builders.js';

/*
 * A decision may take the objects of an earlier one (`DecideSetup.previous`) where an EVSE's
 * decision comes out equal; never its values. Properties: over random sequences of inputs in
 * which live states, controllability, draws, caps, circuit limits, the grid meter (fresh, rising,
 * stale) and time change or stay, a decision given an earlier one (the last, or any before it)
 * equals the decision made without, field for field; and a kept object is only ever one whose
 * every field is what the decision without it gives (so a decrease or a new circuit limit is
 * never hidden behind a kept one).
 */

const KEYS = ['cs0/1', 'cs1/1', 'cs2/1', 'cs3/1', 'cs4/1'];
const EVSES: EvseModel[] = [
  anEvse('cs0/1', { circuitId: 'main', maxCurrentA: 16 }),
  anEvse('cs1/1', { circuitId: 'row', phases: 1, phaseRotation: ['L2'], maxCurrentA: 32 }),
  anEvse('cs2/1', { circuitId: 'row', phaseRotation: ['L2', 'L3', 'L1'], maxCurrentA: 16, priority: 2 }),
  anEvse('cs3/1', { circuitId: 'main', maxCurrentA: 32, maxPowerW: 11_000 }),
  anEvse('cs4/1', { circuitId: 'nowhere', maxCurrentA: 16 }),
];

const liveArb = fc.constantFrom('same', 'equal copy', 'new draw', 'inactive', 'gone');
const roundArb = fc.record({
  advanceS: fc.integer({ min: 0, max: 40 }),
  live: fc.array(liveArb, { minLength: KEYS.length, maxLength: KEYS.length }),
  drawA: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: KEYS.length, maxLength: KEYS.length }),
  controllable: fc.array(fc.boolean(), { minLength: KEYS.length, maxLength: KEYS.length }),
  capA: fc.array(fc.option(fc.constantFrom(0, 5, 8, 10, 16), { nil: undefined }), { minLength: KEYS.length, maxLength: KEYS.length }),
  mainA: fc.constantFrom(32, 40, 63),
  rowA: fc.constantFrom(10, 20, 32),
  gridA: fc.integer({ min: 0, max: 60 }),
  meter: fc.constantFrom('fresh', 'fresh', 'fresh', 'stale', 'missing'),
  strategyCapA: fc.option(fc.constantFrom(6, 9, 12), { nil: undefined }),
  previousBack: fc.nat(),
  /** cs0/1's max, A (its model object new when it changes). */
  maxA: fc.constantFrom(16, 16, 10),
});
type Round = typeof roundArb extends fc.Arbitrary<infer T> ? T : never;

/** A strategy that caps cs2/1 when told to (its state counts its calls, so states thread too). */
function capper(capA: () => number | undefined): Strategy<number> {
  return {
    name: 'capper',
    initialState: () => 0,
    decide: (_snapshot, n) => {
      const a = capA();
      return { decisions: a === undefined ? [] : [{ evseKey: 'cs2/1', maxCurrentA: a, source: 'strategy:capper', reason: `cap ${a}` }], state: n + 1 };
    },
  };
}

/** The snapshots of a random sequence of rounds (the circuits' objects new only when a limit changed). */
function snapshotsOf(rounds: Round[]): SiteSnapshot[] {
  let nowMs = T0;
  let live: Record<string, EvseLiveState> = {};
  let circuits: CircuitNode[] | undefined;
  let evses = EVSES;
  const out: SiteSnapshot[] = [];
  for (const r of rounds) {
    nowMs += r.advanceS * 1000;
    const next: Record<string, EvseLiveState> = {};
    KEYS.forEach((key, i) => {
      const before = live[key];
      const change = r.live[i];
      const controllable = r.controllable[i] ?? true;
      if (change === 'same' && before && before.controllable === controllable) next[key] = before;
      else if (change === 'equal copy' && before) next[key] = { ...before, controllable };
      else if (change === 'inactive') next[key] = { key, active: false, controllable };
      else if (change !== 'gone') {
        const a = r.drawA[i] ?? 0;
        next[key] = anActive(key, { controllable, measuredCurrentA: [a, a, a], samples: [{ timeMs: nowMs, currentA: [a, a, a] }] });
      }
    });
    live = next;
    const main = circuits?.[0];
    const row = circuits?.[1];
    circuits =
      main?.maxCurrentA.L1 === r.mainA && row?.maxCurrentA.L1 === r.rowA
        ? circuits
        : [
            { id: 'main', maxCurrentA: { L1: r.mainA, L2: r.mainA, L3: r.mainA }, meterId: 'grid' },
            { id: 'row', parentId: 'main', maxCurrentA: { L1: r.rowA, L2: r.rowA, L3: r.rowA } },
          ];
    if (evses[0]?.maxCurrentA !== r.maxA) evses = [{ ...(EVSES[0] as EvseModel), maxCurrentA: r.maxA }, ...EVSES.slice(1)];
    const evseCaps: Record<string, CurrentLimit[]> = {};
    KEYS.forEach((key, i) => {
      const a = r.capA[i];
      if (a !== undefined) evseCaps[key] = [{ maxCurrentA: a, source: 'override:api', reason: `${a} A` }];
    });
    const meters: Record<string, AgedReading> = r.meter === 'missing' ? {} : { grid: aGridReading(r.gridA, nowMs, r.meter === 'stale' ? { stale: true, ageS: 120 } : {}) };
    out.push({ nowMs, circuits: circuits ?? [], evses, live, meters, meterRoles: { gridMeterId: 'grid' }, modes: {}, csmsProfiles: {}, evseCaps });
  }
  return out;
}

/** Every EvseDecision of `reused` that is an object of an earlier decision, with the decision made without. */
function keptObjects(reused: DecideResult, fresh: DecideResult, earlier: readonly DecideResult[]): Array<[EvseDecision, EvseDecision | undefined]> {
  const kept: Array<[EvseDecision, EvseDecision | undefined]> = [];
  for (const [key, d] of Object.entries(reused.limits)) {
    if (earlier.some((e) => e.limits[key] === d)) kept.push([d, fresh.limits[key]]);
  }
  return kept;
}

describe('decide: objects of an earlier decision used again', () => {
  it('gives the decision made without them, whatever earlier decision it is given', () => {
    fc.assert(
      fc.property(fc.array(roundArb, { minLength: 1, maxLength: 10 }), fc.boolean(), (rounds, rampReserve) => {
        let strategyCapA: number | undefined;
        const strategies = [capper(() => strategyCapA)];
        const params = { marginA: 1, rampReserve, worstCaseNonEvA: { main: { L1: 20, L2: 20, L3: 20 } } };
        let states: DecideStates = initialDecideStates(strategies);
        const earlier: DecideResult[] = [];
        const snapshots = snapshotsOf(rounds);
        snapshots.forEach((snapshot, i) => {
          strategyCapA = rounds[i]?.strategyCapA;
          const fresh = decide(snapshot, states, { strategies, params });
          // The last decision most of the time, any earlier one sometimes.
          const back = (rounds[i]?.previousBack ?? 0) % 4 === 0 ? (rounds[i]?.previousBack ?? 0) % Math.max(1, earlier.length) : 0;
          const previous = earlier[earlier.length - 1 - back];
          const reused = decide(snapshot, states, { strategies, params, ...(previous ? { previous } : {}) });
          expect(reused).toStrictEqual(fresh);
          for (const [kept, without] of keptObjects(reused, fresh, earlier)) expect(kept).toStrictEqual(without);
          states = reused.states;
          earlier.push(reused);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the objects of an unchanged uncontrollable EVSE and makes new ones when its max changes', () => {
    const live = { 'cs0/1': anActive('cs0/1', { controllable: false }) };
    const evse = anEvse('cs0/1', { maxCurrentA: 16 });
    const snapshot: SiteSnapshot = { nowMs: T0, circuits: [{ id: 'main', maxCurrentA: { L1: 32, L2: 32, L3: 32 }, meterId: 'grid' }], evses: [evse], live, meters: { grid: aGridReading(4) }, meterRoles: { gridMeterId: 'grid' }, modes: {}, csmsProfiles: {} };
    const setup = { strategies: [], params: { marginA: 1 } };
    const first = decide(snapshot, initialDecideStates([]), setup);
    const second = decide({ ...snapshot, nowMs: T0 + 10_000, live: { 'cs0/1': { ...live['cs0/1'] } } }, first.states, { ...setup, previous: first });
    expect(second.limits['cs0/1']).toBe(first.limits['cs0/1']);
    const lower = decide({ ...snapshot, evses: [{ ...evse, maxCurrentA: 10 }] }, second.states, { ...setup, previous: second });
    expect(lower.limits['cs0/1']).not.toBe(second.limits['cs0/1']);
    expect(lower).toStrictEqual(decide({ ...snapshot, evses: [{ ...evse, maxCurrentA: 10 }] }, second.states, setup));
    expect(lower.limits['cs0/1']?.limit.maxCurrentA).toBe(10);
  });
});

describe('allocate: limits of an earlier decision used again', () => {
  it('gives the allocation made without them', () => {
    const limitArb = fc.record({ maxCurrentA: fc.constantFrom(0, 6, 10, 16, 32), source: fc.constantFrom('evse:max', 'override:api', 'evse:inactive', 'main L1'), reason: fc.option(fc.constantFrom('a', 'no EV wants power', 'not controllable: budgeted at its max'), { nil: undefined }) }).map(
      (l): CurrentLimit => (l.reason === undefined ? { maxCurrentA: l.maxCurrentA, source: l.source } : { maxCurrentA: l.maxCurrentA, source: l.source, reason: l.reason }),
    );
    fc.assert(
      fc.property(
        fc.array(roundArb, { minLength: 2, maxLength: 6 }),
        fc.dictionary(fc.constantFrom(...KEYS), fc.array(limitArb, { minLength: 1, maxLength: 3 })),
        (rounds, arbitraryPrevious) => {
          const snapshots = snapshotsOf(rounds);
          // First any limits at all, then those of the allocation before.
          let previous: Record<string, { limits: CurrentLimit[] }> = Object.fromEntries(Object.entries(arbitraryPrevious).map(([k, limits]) => [k, { limits }]));
          let state = { entries: {} };
          for (const s of snapshots) {
            const input = { nowMs: s.nowMs, circuits: s.circuits, evses: s.evses, live: s.live, nonEvLoadA: {}, marginA: 1, caps: s.evseCaps ?? {} };
            const fresh = allocate(input, state);
            const reused = allocate({ ...input, previousLimits: previous }, state);
            expect(reused).toStrictEqual(fresh);
            // A binding is one of its limits exactly when it is so without.
            reused.allocations.forEach((a, i) => {
              const f = fresh.allocations[i];
              expect(a.limits.includes(a.binding)).toBe(f !== undefined && f.limits.includes(f.binding));
            });
            previous = Object.fromEntries(reused.allocations.map((a) => [a.evseKey, { limits: a.limits }]));
            state = reused.state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
