import { describe, expect, it } from 'vitest';
import { decide, initialDecideStates, type DecideResult } from '../../../src/control/decide.js';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { EvseLiveState } from '../../../src/energy/site-model.js';
import { aGridReading, anActive, anEvse, aRoot, aSnapshot, T0 } from './builders.js';

/**
 * The W3 step: six EVs hold these offers (confirmed by reports), the building steps up by 7 A
 * per phase at T0, and the step's reading asks for a decision. The decreases go out at T0 + 10 ms.
 */
const HELD_A: Record<string, number> = { 'cs-a/1': 16, 'cs-b/1': 16, 'cs-c/1': 14, 'cs-d/1': 12, 'cs-e/1': 10, 'cs-f/1': 10 };
const KEYS = Object.keys(HELD_A);
const EVSES = KEYS.map((k) => anEvse(k));
const MAIN_A = 100;
const MARGIN_A = 1;
const BUILDING_A = 27;
const EVS_A = KEYS.reduce((s, k) => s + (HELD_A[k] ?? 0), 0);
const SENT_MS = T0 + 10;
const setup = { strategies: [], params: { marginA: MARGIN_A } };

function beforeStep(): Record<string, EvseLiveState> {
  const live: Record<string, EvseLiveState> = {};
  for (const k of KEYS) {
    const a = HELD_A[k] ?? 0;
    live[k] = anActive(k, { offers: [{ fromMs: T0 - 600_000, limitA: a }], samples: [{ timeMs: T0 - 5_000, currentA: [a, a, a] }] });
  }
  return live;
}

function snapshotAt(nowMs: number, live: Record<string, EvseLiveState>, grid: AgedReading) {
  return aSnapshot({ nowMs, evses: EVSES, live, circuits: [aRoot({ maxCurrentA: { L1: MAIN_A, L2: MAIN_A, L3: MAIN_A } })], meters: { grid } });
}

const limitOf = (r: DecideResult, k: string): number => r.limits[k]?.limit.maxCurrentA ?? NaN;
const cutKeys = (r: DecideResult): string[] => KEYS.filter((k) => limitOf(r, k) < (HELD_A[k] ?? 0));

/** The step's decision, and the live state once its decreases went out, each cut EV reporting `reportA(k, newA)` at `reportMs` (none when undefined). */
function afterTheStep(reportMs?: number, reportA: (key: string, newA: number) => number = (_k, a) => a) {
  const live = beforeStep();
  const stepReading = aGridReading(BUILDING_A + EVS_A, T0);
  const first = decide(snapshotAt(T0 + 5, live, stepReading), initialDecideStates([]), setup);
  const sent: Record<string, EvseLiveState> = {};
  for (const k of KEYS) {
    const l = live[k] as EvseLiveState;
    const a = limitOf(first, k);
    if (!(a < (HELD_A[k] ?? 0))) {
      sent[k] = l;
      continue;
    }
    const r = reportA(k, a);
    sent[k] = { ...l, offers: [...(l.offers ?? []), { fromMs: SENT_MS, limitA: a }], samples: [...(l.samples ?? []), ...(reportMs === undefined ? [] : [{ timeMs: reportMs, currentA: [r, r, r] }])] };
  }
  return { first, sent, stepReading };
}

describe('decreases already sent and not yet shed', () => {
  it('the step cuts some EVs and holds the others (the set-up the tests below rely on)', () => {
    const { first } = afterTheStep();
    expect(cutKeys(first).length).toBeGreaterThan(0);
    expect(KEYS.some((k) => first.limits[k]?.limit.source === 'hold')).toBe(true);
  });

  it('a charger report that the EV follows its decrease starts no second round of cuts on the step\'s reading (W3: a second round 700 ms after the first)', () => {
    const { first, sent, stepReading } = afterTheStep(T0 + 510);
    const second = decide(snapshotAt(T0 + 700, sent, stepReading), first.states, setup);
    for (const k of KEYS) expect(limitOf(second, k), k).toBe(limitOf(first, k));
    // Earlier: the followed decreases counted as 2-4 A of new building load per phase each; the
    // hold of cs-c/1 was released and cs-a/1, cs-b/1 were cut again (12 -> 10.6 A).
  });

  it('nor does a report that the EV still draws its old offer: the reading predates the decrease', () => {
    const { first, sent, stepReading } = afterTheStep(T0 + 300, (k) => HELD_A[k] ?? 0);
    const second = decide(snapshotAt(T0 + 400, sent, stepReading), first.states, setup);
    for (const k of KEYS) expect(limitOf(second, k), k).toBe(limitOf(first, k));
  });

  it('a reading taken after the decreases went out still counts what the EVs may have shed as non-EV load: they may have followed before it', () => {
    const { first, sent } = afterTheStep();
    const second = decide(snapshotAt(T0 + 1005, sent, aGridReading(BUILDING_A + EVS_A, T0 + 1000)), first.states, setup);
    // The same meter value now also fits a building that rose by what the EVs shed: cut further.
    expect(KEYS.some((k) => limitOf(second, k) < limitOf(first, k))).toBe(true);
  });

  it('an EV that ignores its decrease past the follow deadline has its excess counted as non-EV load: the others are cut so that everything fits with it', () => {
    const { first, sent } = afterTheStep(T0 + 510);
    const ignoring = cutKeys(first)[0] as string;
    const oldA = HELD_A[ignoring] ?? 0;
    const newA = limitOf(first, ignoring);
    const l = sent[ignoring] as EvseLiveState;
    // Its reports say it still draws the old offer; every other cut EV followed.
    sent[ignoring] = { ...l, samples: [...(l.samples ?? []).slice(0, -1), { timeMs: T0 + 510, currentA: [oldA, oldA, oldA] }, { timeMs: T0 + 31_000, currentA: [oldA, oldA, oldA] }] };
    const drawnA = KEYS.reduce((s, k) => s + (k === ignoring ? oldA : Math.min(HELD_A[k] ?? 0, limitOf(first, k))), 0);
    const second = decide(snapshotAt(T0 + 31_005, sent, aGridReading(BUILDING_A + drawnA, T0 + 31_000)), first.states, setup);
    const othersA = KEYS.filter((k) => k !== ignoring).reduce((s, k) => s + limitOf(second, k), 0);
    // Once the others follow, the building, the ignoring EV's real draw and the others' limits fit.
    expect(BUILDING_A + Math.max(oldA, limitOf(second, ignoring)) + othersA).toBeLessThanOrEqual(MAIN_A - MARGIN_A + 1e-9);
    expect(limitOf(second, ignoring)).toBeLessThanOrEqual(newA);
    expect(KEYS.some((k) => k !== ignoring && limitOf(second, k) < limitOf(first, k))).toBe(true);
  });
});
