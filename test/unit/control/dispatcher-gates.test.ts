import { describe, expect, it } from 'vitest';
import { aDispatcher, connected, dynamicCalls, limitOf, settle, type DispatcherHarness, type SentCall } from './dispatcher-fixture.js';

/** Two EVSEs on station cs1 (both at 16 A, base 6 A), everything accepted so far. */
async function twoEvses(h: DispatcherHarness): Promise<void> {
  h.dispatcher.apply({ 'cs1/1': { limitA: 16, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 6, baseA: 6, numberPhases: 3 } });
  for (let i = 0; i < 4; i++) await settle();
  h.clock.advanceMs(60_000);
}

const evseOf = (c: SentCall): number => {
  const p = c.payload as { connectorId?: number };
  return p.connectorId ?? -1;
};

describe('Dispatcher: make before break', () => {
  it('sends an increase only once the decrease it depends on was accepted and had its settle time', async () => {
    const h = aDispatcher({ settleS: 20, minIntervalS: 0, leaseS: 300 });
    await twoEvses(h);
    const from = h.calls.length;
    h.answerWith(() => 'hold');
    h.dispatcher.apply({ 'cs1/1': { limitA: 6, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 16, baseA: 6, numberPhases: 3 } });
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 6]]);

    h.answerWith(() => 'Accepted');
    h.releaseHeld();
    await settle();
    expect(h.calls.length).toBe(from + 1); // accepted, but the EV has not had time to follow
    h.clock.advanceMs(19_000);
    await settle();
    expect(h.calls.length).toBe(from + 1);
    h.clock.advanceMs(1_000);
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 6], [2, 16]]);
  });

  it('sends the increase as soon as the charger\'s measured current shows the EV followed the decrease', async () => {
    let followed = false;
    const h = aDispatcher({ settleS: 20, minIntervalS: 0, follows: () => followed });
    await twoEvses(h);
    const from = h.calls.length;
    h.dispatcher.apply({ 'cs1/1': { limitA: 6, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 16, baseA: 6, numberPhases: 3 } });
    await settle();
    h.clock.advanceMs(3_000);
    expect(h.calls.length).toBe(from + 1);
    followed = true;
    h.dispatcher.apply({ 'cs1/2': { limitA: 16, baseA: 6, numberPhases: 3 } }); // a new report makes a new decision
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 6], [2, 16]]);
  });

  it('does not hold an increase for a decrease on EVSEs that share no circuit phase with it', async () => {
    const h = aDispatcher({ settleS: 20, minIntervalS: 0, sharesCapacity: () => false });
    await twoEvses(h);
    const from = h.calls.length;
    h.dispatcher.apply({ 'cs1/1': { limitA: 6, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 16, baseA: 6, numberPhases: 3 } });
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 6], [2, 16]]);
  });
});

describe('Dispatcher: write counts and budget', () => {
  it('counts profile writes per EVSE over the last hour and day', async () => {
    const h = aDispatcher({ leaseS: 90, minIntervalS: 30 });
    await connected(h, 16, 6);
    expect(h.dispatcher.writeCounts('cs1/1')).toEqual({ lastHour: 2, lastDay: 2 });
    for (let i = 0; i < 90; i++) {
      h.clock.advanceMs(60_000);
      await settle();
    }
    // a renewal every 60 s (2/3 of the 90 s lease) for 90 min: 60 of them in the last hour
    const counts = h.dispatcher.writeCounts('cs1/1');
    expect(counts.lastHour).toBe(60);
    expect(counts.lastDay).toBe(92);
    expect(h.dispatcher.state('cs1/1')?.writes).toEqual(counts);
  });

  it('holds increases once a charger has used its daily write budget, and still sends decreases', async () => {
    const h = aDispatcher({ writeBudgetPerDay: 3, minIntervalS: 0, hysteresisA: 0 });
    await connected(h, 10, 6); // base + initial
    h.dispatcher.apply({ 'cs1/1': { limitA: 8, baseA: 6, numberPhases: 3 } }); // decrease: third write
    await settle();
    h.dispatcher.apply({ 'cs1/1': { limitA: 12, baseA: 6, numberPhases: 3 } });
    await settle();
    expect(dynamicCalls(h.calls).map((c) => limitOf(c).limit)).toEqual([10, 8]);
    h.dispatcher.apply({ 'cs1/1': { limitA: 7, baseA: 6, numberPhases: 3 } });
    await settle();
    expect(dynamicCalls(h.calls).map((c) => limitOf(c).limit)).toEqual([10, 8, 7]);
  });

  it('sends a start (a raise from below the EV\'s minimum) without waiting for the write interval', async () => {
    const h = aDispatcher({ minIntervalS: 30 });
    h.dispatcher.apply({ 'cs1/1': { limitA: 0, baseA: 6, numberPhases: 3, minA: 6 } });
    for (let i = 0; i < 4; i++) await settle();
    h.clock.advanceMs(1_000);
    h.dispatcher.apply({ 'cs1/1': { limitA: 10, baseA: 6, numberPhases: 3, minA: 6 } });
    await settle();
    expect(dynamicCalls(h.calls).map((c) => limitOf(c).limit)).toEqual([0, 10]);
  });
});

describe('Dispatcher: increases that fit next to pending decreases', () => {
  it('sends an increase up to aloneA at once, without waiting for the decrease elsewhere (earlier: it waited)', async () => {
    const h = aDispatcher({ settleS: 20, minIntervalS: 0, leaseS: 300 });
    await twoEvses(h);
    const from = h.calls.length;
    h.dispatcher.apply({ 'cs1/1': { limitA: 12, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 10, baseA: 6, numberPhases: 3, aloneA: 10 } });
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 12], [2, 10]]);
  });

  it('gives a held-back start its aloneA at once and the rest once the decrease settled', async () => {
    const h = aDispatcher({ settleS: 20, minIntervalS: 0, leaseS: 300 });
    h.dispatcher.apply({ 'cs1/1': { limitA: 16, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 0, baseA: 6, numberPhases: 3, minA: 6 } });
    for (let i = 0; i < 4; i++) await settle();
    h.clock.advanceMs(60_000);
    const from = h.calls.length;
    h.dispatcher.apply({ 'cs1/1': { limitA: 10, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 12, baseA: 6, numberPhases: 3, minA: 6, aloneA: 7 } });
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 10], [2, 7]]);
    h.clock.advanceMs(20_000);
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 10], [2, 7], [2, 12]]);
  });

  it('does not start an EV below its minimum on aloneA', async () => {
    const h = aDispatcher({ settleS: 20, minIntervalS: 0, leaseS: 300 });
    h.dispatcher.apply({ 'cs1/1': { limitA: 16, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 0, baseA: 6, numberPhases: 3, minA: 6 } });
    for (let i = 0; i < 4; i++) await settle();
    h.clock.advanceMs(60_000);
    const from = h.calls.length;
    h.dispatcher.apply({ 'cs1/1': { limitA: 10, baseA: 6, numberPhases: 3 }, 'cs1/2': { limitA: 12, baseA: 6, numberPhases: 3, minA: 6, aloneA: 5 } });
    await settle();
    expect(h.calls.slice(from).map((c) => [evseOf(c), limitOf(c).limit])).toEqual([[1, 10]]);
  });
});
