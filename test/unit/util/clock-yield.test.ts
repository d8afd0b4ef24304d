import { describe, expect, it } from 'vitest';
import { systemClock, yieldOf, type Clock } from '../../../src/util/clock.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

describe('yields to the event loop', () => {
  it('run on a FakeClock only when it is advanced, in order, after the timers due at that instant', () => {
    const clock = new FakeClock();
    const order: string[] = [];
    clock.setTimeout(() => order.push('timer'), 0);
    clock.yieldToLoop(() => {
      order.push('step 1');
      clock.yieldToLoop(() => order.push('step 2'));
    });
    expect(order).toEqual([]);
    clock.advanceMs(0);
    expect(order).toEqual(['timer', 'step 1', 'step 2']);
  });

  it('take yieldMs of simulated time each on a FakeClock so configured, with other timers between them', () => {
    const clock = new FakeClock(0, { yieldMs: 50 });
    const at: string[] = [];
    const step = (n: number) => () => {
      at.push(`step ${n} at ${clock.nowMs()}`);
      if (n < 3) clock.yieldToLoop(step(n + 1));
    };
    clock.yieldToLoop(step(1));
    clock.setTimeout(() => at.push(`timer at ${clock.nowMs()}`), 120);
    clock.advanceMs(1_000);
    expect(at).toEqual(['step 1 at 50', 'step 2 at 100', 'timer at 120', 'step 3 at 150']);
  });

  it('run on the system clock at a later turn of the event loop, and a failing one goes to onTimerError', async () => {
    const errors: unknown[] = [];
    const clock = systemClock({ onTimerError: (err) => errors.push(err) });
    const ran = await new Promise<boolean>((resolve) => {
      clock.yieldToLoop?.(() => {
        throw new Error('step failed');
      });
      clock.yieldToLoop?.(() => resolve(true));
    });
    expect(ran).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual(['step failed']);
  });

  it('fall back to setImmediate for a clock without its own yield', async () => {
    const bare: Clock = { nowMs: () => 0, setTimeout: () => ({ id: 1 }), clearTimeout: () => undefined };
    const ran = await new Promise<boolean>((resolve) => yieldOf(bare)(() => resolve(true)));
    expect(ran).toBe(true);
  });
});
