import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PARAMS, planVisit } from '../../../src/sim/demo-scenario.js';
import { createPrng } from '../../../src/sim/prng.js';
import { evseSeed } from '../../../src/sim/fleet.js';

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

  it("gives every EVSE of a fleet its own seed, from its place in the fleet and not from when it connected", () => {
    const seeds = new Set<number>();
    for (let charger = 0; charger < 1000; charger++) for (let evse = 1; evse <= 2; evse++) seeds.add(evseSeed(11, charger, evse));
    expect(seeds.size).toBe(2000);
    expect(evseSeed(11, 3, 1)).toBe(evseSeed(11, 3, 1));
    expect(evseSeed(11, 3, 1)).not.toBe(evseSeed(12, 3, 1));
    const first = (seed: number) => planVisit(createPrng(seed), DEFAULT_DEMO_PARAMS, true);
    expect(first(evseSeed(11, 3, 1))).toEqual(first(evseSeed(11, 3, 1)));
  });
});
