import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LoginThrottle } from '../../../src/evse/login-throttle.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

describe('the failed-login throttle', () => {
  it('lets the free failures through, then doubles the wait up to the maximum', () => {
    const clock = new FakeClock();
    const t = new LoginThrottle({ clock, options: { freeFailures: 2, initialDelayMs: 1000, maxDelayMs: 8000 } });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      t.failed('10.0.0.1');
      waits.push(t.waitS('10.0.0.1'));
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 8]);
    expect(t.waitS('10.0.0.2')).toBe(0);
    t.succeeded('10.0.0.1');
    expect(t.waitS('10.0.0.1')).toBe(0);
  });

  it('never makes an address wait longer than the maximum, and never less after more failures', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }), (free, maxS, gapsMs) => {
        const clock = new FakeClock();
        const t = new LoginThrottle({ clock, options: { freeFailures: free, initialDelayMs: 1000, maxDelayMs: maxS * 1000 } });
        for (const gap of gapsMs) {
          clock.advanceMs(gap);
          const before = t.waitS('a');
          t.failed('a');
          const after = t.waitS('a');
          expect(after).toBeLessThanOrEqual(maxS);
          expect(after).toBeGreaterThanOrEqual(Math.min(before, maxS));
        }
      }),
    );
  });

  it('forgets the stalest address first beyond its bound', () => {
    const clock = new FakeClock();
    const t = new LoginThrottle({ clock, options: { freeFailures: 0, maxAddresses: 2 } });
    t.failed('a');
    t.failed('b');
    t.failed('c');
    expect(t.size).toBe(2);
    expect(t.waitS('a')).toBe(0);
    expect(t.waitS('c')).toBe(1);
  });
});
