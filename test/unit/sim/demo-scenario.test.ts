import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PARAMS, planVisit } from '../../../src/sim/demo-scenario.js';
import { createPrng } from '../../../src/sim/prng.js';

describe('the demo scenario planner', () => {
  it('plans the same visits from the same seed', () => {
    const a = createPrng(3);
    const b = createPrng(3);
    expect(planVisit(a, DEFAULT_DEMO_PARAMS, true)).toEqual(planVisit(b, DEFAULT_DEMO_PARAMS, true));
  });

  it('authorizes with a tag from the list, before the car leaves', () => {
    const prng = createPrng(9);
    const visits = Array.from({ length: 50 }, () => planVisit(prng, DEFAULT_DEMO_PARAMS, false));
    expect(visits.every((v) => DEFAULT_DEMO_PARAMS.idTags.includes(v.idTag) && v.authorizeAfterS < v.dwellS)).toBe(true);
  });

  it('brings the first car within the first-arrival window', () => {
    const prng = createPrng(11);
    const firsts = Array.from({ length: 50 }, () => planVisit(prng, DEFAULT_DEMO_PARAMS, true).arriveAfterS);
    expect(Math.max(...firsts)).toBeLessThanOrEqual(DEFAULT_DEMO_PARAMS.firstArrivalMaxS);
  });
});
