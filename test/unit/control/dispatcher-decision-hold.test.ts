import { describe, expect, it } from 'vitest';
import { aDispatcher, connected, dynamicCalls, limitOf, settle } from './dispatcher-fixture.js';

/**
 * A decision run in steps reads its inputs, then dispatches a few hundred ms later. Meanwhile a
 * raise of the older target that falls due (write rate) must not go out: the decision under way
 * may say less, and the raise would be clawed back at its apply. Found by the garage black-box
 * loop test run step by step (G13 raised 7.6 -> 9.3 A and lowered to 8 A at the same instant).
 */
/**
 * An EVSE at 7.6 A whose target 9.3 A waits for the write rate (due at +10 s); a decision gets
 * under way at +9.9 s, and the raise falls due while it is: nothing is sent. `from`: the calls
 * sent before.
 */
async function raiseHeldByDecision() {
  const h = aDispatcher({ minIntervalS: 10, leaseS: 120, hysteresisA: 1 });
  await connected(h, 7.6, 6);
  h.dispatcher.apply({ 'cs1/1': { limitA: 9.3, baseA: 6, numberPhases: 3 } });
  const from = h.calls.length;
  h.clock.advanceMs(9_900);
  h.dispatcher.holdRaises(true);
  h.clock.advanceMs(200);
  await settle();
  expect(h.calls.length).toBe(from);
  return { h, from };
}

describe('Dispatcher: raises held for a decision under way', () => {
  it('does not send a raise that falls due while a decision is under way; its apply decides', async () => {
    const { h, from } = await raiseHeldByDecision();
    h.dispatcher.apply({ 'cs1/1': { limitA: 8, baseA: 6, numberPhases: 3 } }); // less than the older target, within the hysteresis
    await settle();
    expect(dynamicCalls(h.calls.slice(from)).map((c) => limitOf(c).limit)).toEqual([]);
  });

  it('sends the raise of the decision’s own targets at its apply', async () => {
    const { h, from } = await raiseHeldByDecision();
    h.dispatcher.apply({ 'cs1/1': { limitA: 9.3, baseA: 6, numberPhases: 3 } });
    await settle();
    expect(dynamicCalls(h.calls.slice(from)).map((c) => limitOf(c).limit)).toEqual([9.3]);
  });

  it('sends what was held at once when the decision is dropped without an apply', async () => {
    const { h, from } = await raiseHeldByDecision();
    h.dispatcher.holdRaises(false);
    await settle();
    expect(dynamicCalls(h.calls.slice(from)).map((c) => limitOf(c).limit)).toEqual([9.3]);
  });
});
