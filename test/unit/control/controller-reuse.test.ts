import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Controller, type DispatchSink } from '../../../src/control/controller.js';
import type { EvseDecision } from '../../../src/control/decide.js';
import type { EvseTarget } from '../../../src/control/dispatcher.js';
import type { OfferStep } from '../../../src/energy/draw/draw-at.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { Strategy } from '../../../src/energy/strategy.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { aGridReading, anActive, anEvse, aRoot, T0 } from './builders.js';
import { freshTargetOf } from './targets-reference.js';

/*
 * The controller reuses the merged live state of an EVSE and its dispatcher target while their
 * parts are unchanged. These properties compare what it hands on with what the merge and the
 * target building without reuse give (written out here as they were), over random sequences of
 * decisions in which live states, offers, controllability and caps change or stay (the live
 * states given as a record or as a map).
 */

const KEYS = ['cs0/1', 'cs1/1', 'cs2/1', 'cs3/1'];

/** The snapshot's live states without reuse: every EVSE's state merged again. */
function mergedWithoutReuse(given: Record<string, EvseLiveState>, evses: EvseModel[], offersOf: (key: string) => readonly OfferStep[], controllable: (key: string) => boolean): Record<string, EvseLiveState> {
  const live: Record<string, EvseLiveState> = { ...given };
  for (const e of evses) {
    if (live[e.key]) {
      const offers = offersOf(e.key);
      if (offers.length > 0) live[e.key] = { ...(live[e.key] as EvseLiveState), offers };
    }
    const state = live[e.key];
    if (controllable(e.key)) {
      // A given state may say otherwise (the hub's states take controllability when built): corrected.
      if (state?.controllable === false) live[e.key] = { ...state, controllable: true };
      continue;
    }
    if (state?.controllable !== false) live[e.key] = { ...(state ?? { key: e.key, active: false }), controllable: false };
  }
  return live;
}

/** The dispatcher's targets without reuse: a new object per EVSE. */
function targetsWithoutReuse(evses: EvseModel[], limits: Record<string, EvseDecision>): Record<string, EvseTarget> {
  const targets: Record<string, EvseTarget> = {};
  for (const e of evses) {
    const d = limits[e.key];
    if (!d) continue;
    targets[e.key] = freshTargetOf(d, e);
  }
  return targets;
}

const liveChange = fc.constantFrom('same', 'equal copy', 'new draw', 'gone');
const offersChange = fc.constantFrom('same', 'equal copy', 'new offer', 'none');
const roundArb = fc.record({
  live: fc.array(liveChange, { minLength: KEYS.length, maxLength: KEYS.length }),
  drawA: fc.array(fc.integer({ min: 0, max: 16 }), { minLength: KEYS.length, maxLength: KEYS.length }),
  offers: fc.array(offersChange, { minLength: KEYS.length, maxLength: KEYS.length }),
  offerA: fc.array(fc.integer({ min: 0, max: 16 }), { minLength: KEYS.length, maxLength: KEYS.length }),
  controllable: fc.array(fc.boolean(), { minLength: KEYS.length, maxLength: KEYS.length }),
  /** What a new live state says of its controllability (the dispatcher's word, or a stale one). */
  saysControllable: fc.array(fc.boolean(), { minLength: KEYS.length, maxLength: KEYS.length }),
  capA: fc.option(fc.integer({ min: 0, max: 16 }), { nil: undefined }),
  gridA: fc.integer({ min: 0, max: 30 }),
});

describe('controller: reuse of unchanged live states and targets', () => {
  it('hands the strategies and the dispatcher exactly what building everything again gives', () => {
    fc.assert(
      fc.property(fc.array(roundArb, { minLength: 1, maxLength: 8 }), fc.boolean(), (rounds, asMap) => {
        const clock = new FakeClock(T0);
        const evses = KEYS.map((key, i) => anEvse(key, { maxCurrentA: i % 2 === 0 ? 16 : 32 }));
        let given: Record<string, EvseLiveState> = {};
        const offers: Record<string, readonly OfferStep[]> = {};
        const controllable: Record<string, boolean> = {};
        let capA: number | undefined;
        let gridA = 0;
        const seen: Record<string, EvseLiveState>[] = [];
        const capper: Strategy<null> = {
          name: 'capper',
          initialState: () => null,
          decide: (snapshot) => {
            seen.push(snapshot.live);
            return { decisions: capA === undefined ? [] : [{ evseKey: 'cs1/1', maxCurrentA: capA, source: 'strategy:capper', reason: 'test' }], state: null };
          },
        };
        const applied: Record<string, EvseTarget>[] = [];
        const sink: DispatchSink = {
          apply: (targets) => applied.push(targets),
          isControllable: (key) => controllable[key] ?? true,
          offersOf: (key) => offers[key] ?? [],
        };
        const controller = new Controller({
          clock,
          log: silentLogger(),
          site: { circuits: [aRoot({ maxCurrentA: { L1: 40, L2: 40, L3: 40 } })], evses, meterRoles: { gridMeterId: 'grid' } },
          strategies: [{ strategy: capper }],
          snapshot: (nowMs) => ({ meters: { grid: aGridReading(gridA, nowMs) }, live: asMap ? new Map(Object.entries(given)) : { ...given } }),
          dispatcher: sink,
          failsafe: { staleAfterS: 60 },
        });
        for (const r of rounds) {
          clock.advanceMs(1000);
          const next: Record<string, EvseLiveState> = {};
          KEYS.forEach((key, i) => {
            const before = given[key];
            const change = r.live[i];
            if (change === 'same' && before) next[key] = before;
            else if (change === 'equal copy' && before) next[key] = { ...before };
            else if (change !== 'gone') next[key] = anActive(key, { controllable: r.saysControllable[i] ?? true, measuredCurrentA: [r.drawA[i] ?? 0, r.drawA[i] ?? 0, r.drawA[i] ?? 0] });
            const o = r.offers[i];
            if (o === 'equal copy') offers[key] = (offers[key] ?? []).map((s) => ({ ...s }));
            else if (o === 'new offer') offers[key] = [...(offers[key] ?? []), { fromMs: clock.nowMs() - 500, limitA: r.offerA[i] ?? 0 }];
            else if (o === 'none') offers[key] = [];
            controllable[key] = r.controllable[i] ?? true;
          });
          given = next;
          capA = r.capA;
          gridA = r.gridA;
          const decision = controller.decideNow('test');
          expect(seen.at(-1)).toStrictEqual(mergedWithoutReuse(given, evses, (key) => offers[key] ?? [], (key) => controllable[key] ?? true));
          expect(applied.at(-1)).toStrictEqual(targetsWithoutReuse(evses, decision?.evses ?? {}));
        }
      }),
      { numRuns: 300 },
    );
  });
});
