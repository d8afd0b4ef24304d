import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';

/**
 * A site import limit set through the API: a lower one asks for decreases and is decided at
 * once, even where decisions otherwise wait for the debounce and run step by step; a higher one
 * waits for the debounced decision.
 */
const TOKEN = 'site-limit-token-0001';
let h: Harness;
let clock: FakeClock;
beforeAll(async () => {
  clock = new FakeClock(Date.now());
  h = await startTestHub(
    `
api: { token: ${TOKEN} }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 16 }
stations:
  - { id: CP1, securityProfile: 0, evses: [{ id: 1, circuit: main }] }
`,
    { clock, steppedFromEvses: 0 },
  );
});
afterAll(async () => {
  await h?.stop();
});

async function setLimit(powerW: number): Promise<number> {
  const res = await h.hub.api.inject({ method: 'POST', url: '/api/site/limits', headers: { authorization: `Bearer ${TOKEN}` }, payload: { powerW, durationS: 600 } });
  return res.statusCode;
}

describe('site limit through the API', () => {
  it('decides a lower limit at once and a higher one after the debounce', async () => {
    clock.advanceMs(10_000); // the start-up decision is done
    const decided = () => h.hub.energy.lastDecision()?.reasons ?? [];
    expect(await setLimit(5_000)).toBe(201);
    // No time has passed: the decision ran within the request.
    expect(decided()).toContain('site limit override lowered');
    const atMs = h.hub.energy.lastDecision()?.atMs;
    expect(await setLimit(8_000)).toBe(201);
    expect(h.hub.energy.lastDecision()?.atMs).toBe(atMs); // a raise waits
    clock.advanceMs(10_000);
    expect(decided()).toContain('site limit override');
  });
});
