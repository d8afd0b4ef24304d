import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/util/clock.js';

describe('systemClock timers', () => {
  it('runs a timer, not one cleared before it was due (timers of equal delay run in order)', async () => {
    const clock = systemClock();
    const ran: string[] = [];
    const cleared = clock.setTimeout(() => ran.push('cleared'), 0);
    await new Promise<void>((resolve) => {
      clock.setTimeout(() => {
        ran.push('kept');
        resolve();
      }, 0);
      clock.clearTimeout(cleared);
    });
    expect(ran).toEqual(['kept']);
  });

  it('hands a failing callback to onTimerError and goes on with the next timer', async () => {
    const errors: unknown[] = [];
    const clock = systemClock({ onTimerError: (err) => errors.push(err) });
    await new Promise<void>((resolve) => {
      clock.setTimeout(() => {
        throw new Error('boom');
      }, 0);
      clock.setTimeout(resolve, 0);
    });
    expect(errors).toEqual([new Error('boom')]);
  });

  it('gives every timer its own id and ignores a handle it did not make', async () => {
    const clock = systemClock();
    const a = clock.setTimeout(() => undefined, 0);
    const b = clock.setTimeout(() => undefined, 0);
    expect(a.id).not.toBe(b.id);
    await new Promise<void>((resolve) => {
      clock.setTimeout(resolve, 0);
      clock.clearTimeout({ id: 12345 });
      clock.clearTimeout(undefined);
    });
  });
});
