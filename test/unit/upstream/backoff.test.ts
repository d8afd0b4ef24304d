import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/upstream/backoff.js';

const policy = { initialDelayMs: 1000, maxDelayMs: 60_000, factor: 2, jitter: 0.25 };

describe('reconnect backoff', () => {
  it('doubles from the initial delay up to the maximum', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(policy, a, 0.5))).toEqual([1000, 2000, 4000, 8000, 60_000]);
  });

  it('spreads each delay by the jitter fraction either way', () => {
    expect(backoffDelayMs(policy, 2, 0)).toBe(3000);
    expect(backoffDelayMs(policy, 2, 0.999999)).toBe(5000);
  });

  it('never exceeds the maximum, even with jitter', () => {
    expect(backoffDelayMs(policy, 20, 0.999999)).toBe(60_000);
  });
});
