import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, initialDecideStates, type DecideResult, type DecideStates, type EvseDecision } from '../../../src/control/decide.js';
import { allocate } from '../../../src/energy/allocation/index.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { aGridReading, anActive, anEvse, T0 } from './builders.js';
import { capper, KEYS, roundArb, snapshotsOf } from './decide-rounds.js';

/*
 * A decision may take the objects of an earlier one (`DecideSetup.previous`) where an EVSE's
 * decision comes out equal; never its values. Properties: over random sequences of inputs in
 * which live states, controllability, draws, caps, circuit limits, the grid meter (fresh, rising,
 * stale) and time change or stay, a decision given an earlier one (the last, or any before it)
 * equals the decision made without, field for field; and a kept object is only ever one whose
 * every field is what the decision without it gives (so a decrease or a new circuit limit is
 * never hidden behind a kept one).
 */

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
