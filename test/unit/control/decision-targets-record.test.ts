import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TargetKeeper } from '../../../src/control/decision-targets.js';
import type { DecideResult, EvseDecision } from '../../../src/control/decide.js';
import type { EvseTarget } from '../../../src/control/dispatcher.js';
import { withLimitChangeLog } from '../../../src/control/limit-change-log.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import { silentLogger } from '../../../src/util/logger.js';
import { anEvse } from './builders.js';
import { freshTargetOf } from './targets-reference.js';

/** TargetKeeper.targetsOf before it returned the last record again (the reference): an EVSE keeps its target object while a fresh one would equal it. */
class ReferenceKeeper {
  private readonly last = new Map<string, EvseTarget>();
  targetsOf(result: DecideResult, evses: readonly EvseModel[]): Record<string, EvseTarget> {
    const targets: Record<string, EvseTarget> = {};
    for (const e of evses) {
      const d = result.limits[e.key];
      if (!d) continue;
      const fresh = freshTargetOf(d, e);
      const before = this.last.get(e.key);
      if (before && isDeepStrictEqual(before, fresh)) {
        targets[e.key] = before;
        continue;
      }
      this.last.set(e.key, fresh);
      targets[e.key] = fresh;
    }
    return targets;
  }
  clear(): void {
    this.last.clear();
  }
}

const EVSES = ['A/1', 'B/1', 'C/1', 'D/1'].map((k, i) => anEvse(k, { phases: i === 3 ? 1 : 3, phaseRotation: i === 3 ? ['L2'] : ['L1', 'L2', 'L3'] }));

const decisionArb: fc.Arbitrary<EvseDecision> = fc.record({
  limitA: fc.constantFrom(0, 6, 10),
  baseA: fc.constantFrom(0, 6),
  aloneA: fc.option(fc.constantFrom(6, 16), { nil: undefined }),
  setpointW: fc.option(fc.constantFrom(-2000, 3000), { nil: undefined }),
}).map(({ limitA, baseA, aloneA, setpointW }) => ({
  limit: { maxCurrentA: limitA, source: 'test' },
  baseShare: { maxCurrentA: baseA, source: 'test' },
  ...(aloneA !== undefined ? { aloneA } : {}),
  ...(setpointW !== undefined ? { setpointW, dischargeLimitW: 5000, setpointMode: 'CentralSetpoint' } : {}),
}) as unknown as EvseDecision);

/** One decision: the EVSEs of the site now (a subset, in order) and a decision for some of them. */
const stepArb = fc.record({
  evses: fc.subarray(EVSES),
  limits: fc.dictionary(fc.constantFrom(...EVSES.map((e) => e.key)), decisionArb),
  clear: fc.boolean(),
});

describe('TargetKeeper', () => {
  it('gives the targets it gave before, and the last record again exactly when every target in it is kept (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.boolean(), (steps, repeatLast) => {
        const keeper = new TargetKeeper();
        const ref = new ReferenceKeeper();
        let prev: Record<string, EvseTarget> | undefined;
        let prevRef: Record<string, EvseTarget> | undefined;
        const all = repeatLast ? [...steps, steps[steps.length - 1] as (typeof steps)[number]] : steps;
        for (const step of all) {
          const cleared = step.clear && step !== all[all.length - 1];
          if (cleared) {
            keeper.clear();
            ref.clear();
          }
          const result = { limits: step.limits } as unknown as DecideResult;
          const got = keeper.targetsOf(result, step.evses);
          const want = ref.targetsOf(result, step.evses);
          expect(got).toEqual(want);
          expect(Object.keys(got)).toEqual(Object.keys(want));
          if (prev && prevRef) {
            for (const key of Object.keys(want)) expect(got[key] === prev[key]).toBe(want[key] === prevRef[key]);
            const allKept = Object.keys(want).length === Object.keys(prevRef).length && Object.keys(want).every((k) => want[k] === prevRef?.[k]);
            expect(got === prev).toBe(allKept && !cleared);
          }
          prev = got;
          prevRef = want;
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('the limit-change log', () => {
  it('logs nothing when the same record is applied again, and still hands it to the sink and the observer', () => {
    const lines: string[] = [];
    const log = { ...silentLogger(), info: (_o: unknown, msg: string) => lines.push(msg) } as unknown as ReturnType<typeof silentLogger>;
    const applied: unknown[] = [];
    const observed: unknown[] = [];
    const sink = withLimitChangeLog({
      sink: { apply: (t) => applied.push(t), isControllable: () => true },
      log,
      decision: () => undefined,
      observe: (l) => observed.push(l),
    });
    const targets: Record<string, EvseTarget> = { 'A/1': { limitA: 10, baseA: 6, numberPhases: 3, minA: 6, voltageV: 230 } };
    sink.apply(targets);
    sink.apply(targets);
    sink.apply({ 'A/1': { limitA: 16, baseA: 6, numberPhases: 3, minA: 6, voltageV: 230 } });
    expect(lines).toEqual(['evse limit changed', 'evse limit changed']);
    expect(applied).toHaveLength(3);
    expect(observed).toHaveLength(3);
  });
});
