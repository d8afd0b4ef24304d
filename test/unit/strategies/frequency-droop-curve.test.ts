import { describe, expect, it } from 'vitest';
import {
  checkFreqWattCurve, createFrequencyDroopStrategy, curvePowerW, droopDeltaW, lagFraction,
} from '../../../strategies/frequency-droop/index.js';

describe('checkFreqWattCurve', () => {
  it('accepts a curve whose power rises with frequency, given in any order', () => {
    expect(checkFreqWattCurve([{ frequency: 50.2, power: 5000 }, { frequency: 49.8, power: -5000 }])).toBeUndefined();
  });

  it('refuses a curve whose power falls as frequency rises', () => {
    expect(checkFreqWattCurve([{ frequency: 49.8, power: 5000 }, { frequency: 50.2, power: -5000 }]))
      .toContain('must not decrease as frequency rises');
  });

  it('refuses two points at the same frequency and an empty curve', () => {
    expect(checkFreqWattCurve([{ frequency: 50, power: 0 }, { frequency: 50, power: 10 }])).toContain('two points at 50 Hz');
    expect(checkFreqWattCurve([])).toBe('curve has no points');
  });
});

describe('createFrequencyDroopStrategy', () => {
  it('throws a RangeError for a configured curve that falls with frequency', () => {
    expect(() => createFrequencyDroopStrategy({ curve: [{ frequency: 49, power: 1 }, { frequency: 51, power: 0 }] }))
      .toThrow(RangeError);
  });
});

describe('curvePowerW', () => {
  it('holds the end values beyond the curve', () => {
    const curve = [{ frequency: 49.8, power: -4000 }, { frequency: 50.2, power: 4000 }];
    expect(curvePowerW(curve, 45)).toBe(-4000);
    expect(curvePowerW(curve, 55)).toBe(4000);
    expect(curvePowerW(curve, 50.1)).toBeCloseTo(2000);
  });
});

describe('droopDeltaW', () => {
  it('starts from zero at the dead band edge without a jump', () => {
    const s = { nominalHz: 50, deadBandHz: 0.1, droopPct: 4 };
    expect(droopDeltaW(50.05, 10_000, s)).toBe(0);
    expect(droopDeltaW(50.1, 10_000, s)).toBeCloseTo(0);
    expect(droopDeltaW(50.3, 10_000, s)).toBeCloseTo(1000);
    expect(droopDeltaW(49.7, 10_000, s)).toBeCloseTo(-1000);
  });
});

describe('lagFraction', () => {
  it('covers 90% of a step after the response time and all of it with no response time', () => {
    expect(lagFraction(10, 10)).toBeCloseTo(0.9);
    expect(lagFraction(20, 10)).toBeCloseTo(0.99);
    expect(lagFraction(5, 0)).toBe(1);
    expect(lagFraction(0, 10)).toBe(0);
  });
});
