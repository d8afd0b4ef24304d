import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EvseTarget } from '../../../src/control/dispatcher.js';
import { aDispatcher, settle, type Answer, type DispatcherHarness } from './dispatcher-fixture.js';

/*
 * The dispatcher does not evaluate an EVSE again when a decision hands it the same target object
 * as before, no gate held its raise and none got stricter since (decreases, boots, answers held
 * back, write budgets and EVs following early all play in the script). This property drives two dispatchers with the same
 * script: one always gets new target objects, the other the same object whenever the target did
 * not change. Their writes (what, to whom, when) must be the same.
 */

const KEYS = ['cs1/1', 'cs1/2', 'cs2/1'] as const;

const stepArb = fc.record({
  advanceMs: fc.constantFrom(0, 500, 5_000, 20_000, 40_000, 200_000),
  /** Per EVSE: undefined = the target does not change (no other decision field either). */
  limitA: fc.array(fc.option(fc.constantFrom(0, 6, 8, 10, 13, 16, 32), { nil: undefined }), { minLength: KEYS.length, maxLength: KEYS.length }),
  aloneA: fc.option(fc.constantFrom(6, 10, 16), { nil: undefined }),
  followed: fc.boolean(),
  answer: fc.constantFrom<Answer>('Accepted', 'Accepted', 'Accepted', 'hold', 'Rejected'),
  release: fc.boolean(),
  boot: fc.option(fc.constantFrom('cs1', 'cs2'), { nil: undefined }),
});

describe('Dispatcher: the same target object again', () => {
  it('writes exactly what it writes when given an equal new target', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 14 }), fc.constantFrom(undefined, 6), async (steps, writeBudgetPerDay) => {
        let followed = false;
        const make = (): DispatcherHarness =>
          aDispatcher(
            { settleS: 20, minIntervalS: 30, leaseS: 300, follows: () => followed, ...(writeBudgetPerDay !== undefined ? { writeBudgetPerDay } : {}) },
            { cs1: '1.6', cs2: '1.6' },
          );
        const fresh = make();
        const reused = make();
        const last = new Map<string, EvseTarget>();
        for (const s of steps) {
          followed = s.followed;
          for (const h of [fresh, reused]) h.answerWith(() => s.answer);
          const copies: Record<string, EvseTarget> = {};
          const same: Record<string, EvseTarget> = {};
          KEYS.forEach((key, i) => {
            const limitA = s.limitA[i];
            const before = last.get(key);
            const target: EvseTarget =
              limitA === undefined && before ? before : { limitA: limitA ?? 6, baseA: 6, numberPhases: 3, minA: 6, ...(s.aloneA !== undefined ? { aloneA: s.aloneA } : {}) };
            last.set(key, target);
            same[key] = target;
            copies[key] = { ...target };
          });
          for (const h of [fresh, reused]) {
            h.clock.advanceMs(s.advanceMs);
            if (s.boot) h.dispatcher.onStationBooted(s.boot);
            if (s.release) h.releaseHeld();
          }
          fresh.dispatcher.apply(copies);
          reused.dispatcher.apply(same);
          await settle();
          expect(reused.calls).toEqual(fresh.calls);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
