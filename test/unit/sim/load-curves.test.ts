import { describe, expect, it } from 'vitest';
import { buildingLoadW, clearSkyPvW, makeClouds, pvW } from '../../../src/sim/load-curves.js';
import { createPrng } from '../../../src/sim/prng.js';

const day = Date.UTC(2026, 5, 1);
const at = (hour: number): number => day + hour * 3_600_000;
const curve = [
  { hour: 0, powerW: 1000 },
  { hour: 12, powerW: 3000 },
  { hour: 24, powerW: 1000 },
];

describe('the simulated site curves', () => {
  it('interpolates the building curve between its points', () => {
    expect(buildingLoadW(curve, [], at(6))).toBe(2000);
  });

  it('adds a load step only while it lasts', () => {
    const flat = [{ hour: 0, powerW: 1000 }, { hour: 24, powerW: 1000 }];
    const steps = [{ atMs: at(6), deltaW: 500, durationS: 3600 }];
    expect([buildingLoadW(flat, steps, at(6.5)), buildingLoadW(flat, steps, at(7.5))]).toEqual([1500, 1000]);
  });

  it('produces no PV at night and the peak at solar noon', () => {
    const pv = { peakW: 5000, sunriseHour: 6, sunsetHour: 18 };
    expect([clearSkyPvW(pv, at(3)), clearSkyPvW(pv, at(12))]).toEqual([0, 5000]);
  });

  it('dims PV under a cloud', () => {
    const pv = { peakW: 5000, sunriseHour: 6, sunsetHour: 18 };
    expect(pvW(pv, [{ startMs: at(12), durationS: 600, factor: 0.5 }], at(12))).toBe(2500);
  });

  it('makes the same clouds from the same seed', () => {
    expect(makeClouds(createPrng(7), day, at(24), 3)).toEqual(makeClouds(createPrng(7), day, at(24), 3));
  });
});
