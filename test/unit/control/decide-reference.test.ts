import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, decideSteps, initialDecideStates, type DecideResult } from '../../../src/control/decide.js';
import type { OperationMode } from '../../../src/energy/charging-profile.js';
import type { EvseLiveState } from '../../../src/energy/site-model.js';
import type { Decision, SiteSnapshot, Strategy } from '../../../src/energy/strategy.js';
import { drain, EVSES_PER_STEP } from '../../../src/energy/steps.js';
import { decideBefore } from './decide-reference.js';
import { capper, KEYS, roundArb, snapshotsOf } from './decide-rounds.js';

/*
 * The decision's last loops are stepped (the proposals, the EVSEs by key) and each EVSE's decision
 * is built without spreads, its strategies' caps and setpoints without a pass over the EVSEs when
 * a strategy decides nothing. Property: over random sequences of inputs (those of
 * decide-previous.test.ts, with offers held by the EVSEs, operation modes, and a strategy giving
 * caps, setpoints and site-wide decisions), each given the decision before as the controller does,
 * the decision equals the one made the previous way (decide-reference.ts) field for field, lists
 * its fields in the same order, and keeps an earlier EvseDecision object (and the record of them)
 * exactly where the previous way did.
 */

const extraArb = fc.record({
  /** Per EVSE: no offer, or the last offer (A) made this many seconds ago. */
  offers: fc.array(fc.option(fc.record({ limitA: fc.constantFrom(0, 6, 10, 16), agoS: fc.constantFrom(1, 5, 60) }), { nil: undefined }), { minLength: KEYS.length, maxLength: KEYS.length }),
  modes: fc.array(fc.constantFrom<OperationMode | undefined>(undefined, undefined, 'Idle', 'ExternalSetpoint', 'CentralSetpoint'), { minLength: KEYS.length, maxLength: KEYS.length }),
  /** Per EVSE: no setpoint, or one in W (negative discharges), with or without a discharge limit. */
  setpointW: fc.array(fc.option(fc.constantFrom(-5000, 0, 2000, 7000, 30_000), { nil: undefined }), { minLength: KEYS.length, maxLength: KEYS.length }),
  dischargeLimitW: fc.option(fc.constantFrom(-3000, 0), { nil: undefined }),
  siteCapA: fc.option(fc.constantFrom(8, 20), { nil: undefined }),
  unknownKey: fc.boolean(),
});
type Extra = typeof extraArb extends fc.Arbitrary<infer T> ? T : never;

/** A strategy giving what the round says: setpoints per EVSE, a cap on every EVSE, a decision for an EVSE not on the site. */
function setpointer(extra: () => Extra | undefined): Strategy<null> {
  return {
    name: 'setpointer',
    initialState: () => null,
    decide: (_snapshot, state) => {
      const x = extra();
      const decisions: Decision[] = [];
      KEYS.forEach((evseKey, i) => {
        const w = x?.setpointW[i];
        if (w === undefined) return;
        decisions.push({ evseKey, setpointW: w, source: 'strategy:setpointer', reason: `${w} W`, ...(x?.dischargeLimitW !== undefined ? { dischargeLimitW: x.dischargeLimitW } : {}) });
      });
      if (x?.siteCapA !== undefined) decisions.push({ maxCurrentA: x.siteCapA, source: 'strategy:site', reason: 'every EVSE' });
      if (x?.unknownKey) decisions.push({ evseKey: 'nope/1', maxCurrentA: 1, setpointW: 100, source: 'strategy:lost', reason: 'no such EVSE' });
      return { decisions, state };
    },
  };
}

/** The snapshot with the round's offers on the EVSEs' live states and its operation modes. */
function withExtra(s: SiteSnapshot, x: Extra): SiteSnapshot {
  const live: Record<string, EvseLiveState> = { ...s.live };
  const modes: Record<string, OperationMode> = {};
  KEYS.forEach((key, i) => {
    const o = x.offers[i];
    const state = live[key];
    if (o && state) live[key] = { ...state, offers: [{ fromMs: s.nowMs - o.agoS * 1000, limitA: o.limitA }] };
    const mode = x.modes[i];
    if (mode) modes[key] = mode;
  });
  return { ...s, live, modes };
}

/** Whether `d` is, for every key, an object of `earlier` exactly where `ref` is one of `refEarlier`. */
function keptWhereReferenceKept(d: DecideResult, earlier: DecideResult | undefined, ref: DecideResult, refEarlier: DecideResult | undefined): void {
  expect(d.limits === earlier?.limits).toBe(ref.limits === refEarlier?.limits);
  for (const key of Object.keys(ref.limits)) {
    expect(d.limits[key] === earlier?.limits[key]).toBe(ref.limits[key] === refEarlier?.limits[key]);
    expect(Object.keys(d.limits[key] ?? {})).toEqual(Object.keys(ref.limits[key] ?? {}));
  }
}

describe('decide: stepped last loops and per-EVSE decisions without spreads', () => {
  it('decides as before, field for field and object for object, over random sequences of inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(roundArb, extraArb), { minLength: 1, maxLength: 8 }), fc.boolean(), (rounds, rampReserve) => {
        let strategyCapA: number | undefined;
        let extra: Extra | undefined;
        const strategies = [capper(() => strategyCapA), setpointer(() => extra)];
        const params = { marginA: 1, rampReserve, worstCaseNonEvA: { main: { L1: 20, L2: 20, L3: 20 } } };
        let states = initialDecideStates(strategies);
        let refStates = initialDecideStates(strategies);
        let last: DecideResult | undefined;
        let refLast: DecideResult | undefined;
        const snapshots = snapshotsOf(rounds.map(([r]) => r));
        snapshots.forEach((plain, i) => {
          const [round, x] = rounds[i] as (typeof rounds)[number];
          strategyCapA = round.strategyCapA;
          extra = x;
          const snapshot = withExtra(plain, x);
          const d = decide(snapshot, states, { strategies, params, ...(last ? { previous: last } : {}) });
          const ref = decideBefore(snapshot, refStates, { strategies, params, ...(refLast ? { previous: refLast } : {}) });
          expect(d).toStrictEqual(ref);
          keptWhereReferenceKept(d, last, ref, refLast);
          states = d.states;
          refStates = ref.states;
          last = d;
          refLast = ref;
        });
      }),
      { numRuns: 400 },
    );
  });

  it('steps the proposals and the EVSEs by key on a site larger than one step', () => {
    const n = 2 * EVSES_PER_STEP + 1;
    const evses = Array.from({ length: n }, (_, i) => ({ key: `cs${i}/1`, circuitId: 'main', phases: 3 as const, phaseRotation: ['L1', 'L2', 'L3'] as const, minCurrentA: 6, maxCurrentA: 16, priority: 1, voltageV: 230, bidirectional: false }));
    const snapshot: SiteSnapshot = {
      nowMs: 0,
      circuits: [{ id: 'main', maxCurrentA: { L1: 16 * n, L2: 16 * n, L3: 16 * n } }],
      evses: evses.map((e) => ({ ...e, phaseRotation: [...e.phaseRotation] })),
      live: {},
      meters: {},
      meterRoles: {},
      modes: {},
      csmsProfiles: {},
    };
    const steps = decideSteps(snapshot, initialDecideStates([]), { strategies: [], params: { marginA: 1 } });
    const names: string[] = [];
    for (let next = steps.next(); !next.done; next = steps.next()) names.push(next.value);
    expect(names.filter((s) => s === 'proposals')).toHaveLength(2);
    expect(names.filter((s) => s === 'evses by key')).toHaveLength(2);
    expect(drain(decideSteps(snapshot, initialDecideStates([]), { strategies: [], params: { marginA: 1 } }))).toStrictEqual(decideBefore(snapshot, initialDecideStates([]), { strategies: [], params: { marginA: 1 } }));
  });
});
