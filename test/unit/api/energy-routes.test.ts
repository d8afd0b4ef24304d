import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { SiteView } from '../../../src/api/energy-queries.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';

/**
 * The energy endpoints of the API, driven with fastify's inject() against a real hub (its
 * controller, meters and dispatcher) on free ports with a fake clock: GET /api/site,
 * GET /api/evses/:stationId/:evseId/schedule, POST and DELETE /api/site/limits.
 */
const TOKEN = 'energy-routes-token-1';
const TOPIC = 'energy-routes-test/grid';

function siteYaml(token?: string): string {
  return `
${token ? `api: { token: '${token}' }` : ''}
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 40, meter: grid, worstCaseNonEvA: 20 }
  - { id: row, parent: main, maxCurrentA: 32, worstCaseNonEvA: 0 }
meters:
  - id: grid
    role: grid
    staleAfterS: 30
    readings:
      - { quantity: currentA.L1, topic: '${TOPIC}', path: L1 }
      - { quantity: currentA.L2, topic: '${TOPIC}', path: L2 }
      - { quantity: currentA.L3, topic: '${TOPIC}', path: L3 }
stations:
  - { id: GA1, securityProfile: 0, evses: [{ id: 1, circuit: row, phases: 3, maxCurrentA: 16 }] }
  - { id: GA2, securityProfile: 0, evses: [{ id: 1, circuit: row, phases: 1, phaseRotation: [L2], maxCurrentA: 32 }] }
`;
}

interface ErrorBody {
  error: { code: string; message: string };
}

let clock: FakeClock;
let h: Harness;
let api: FastifyInstance;
let secured: Harness;

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(siteYaml(), { clock });
  api = h.hub.api;
  secured = await startTestHub(siteYaml(TOKEN), { clock: new FakeClock() });
  clock.advanceMs(200); // the first decision (debounced)
});

afterAll(async () => {
  await h?.stop();
  await secured?.stop();
});

async function site(app: FastifyInstance = api): Promise<SiteView> {
  const res = await app.inject({ method: 'GET', url: '/api/site' });
  expect(res.statusCode).toBe(200);
  return res.json<SiteView>();
}

/** Publishes a grid reading through the hub's broker and waits until the hub has it. */
async function gridReading(amps: number): Promise<void> {
  const meters = h.hub.energy.meters;
  if (!meters) throw new Error('no meter hub');
  await meters.subscribed();
  const got = new Promise<void>((resolve) => {
    const off = meters.onReading((r) => {
      if (r.currentA?.L3 === amps) {
        off();
        resolve();
      }
    });
  });
  await meters.publish(TOPIC, JSON.stringify({ L1: amps, L2: amps, L3: amps }));
  await got;
}

describe('GET /api/site', () => {
  it('shows a meter never heard from as stale and puts the circuits below it on failsafe', async () => {
    const s = await site();
    expect(s.meters['grid']?.stale).toBe(true);
    expect(s.staleCircuits).toHaveProperty('main');
    expect(s.evses.map((e) => e.limit.source)).toEqual(['failsafe', 'failsafe']);
  });

  it('shows each meter with its age and each circuit with its limit, load, available and allocated current per phase', async () => {
    await gridReading(12);
    clock.advanceMs(3_000); // debounce, and a reading 3 s old
    const s = await site();
    expect(s.meters['grid']).toMatchObject({ stale: false, ageS: 3, currentA: { L1: 12, L2: 12, L3: 12 } });
    expect(s.staleCircuits).toEqual({});
    expect(s.circuits.map((c) => c.circuitId)).toEqual(['main', 'row']);
    const main = s.circuits[0];
    expect(main?.phases.L2).toEqual({ limitA: 40, nonEvA: 12, availableA: 27, allocatedA: 0 });
    expect(s.circuits[1]?.phases.L1).toMatchObject({ limitA: 32, availableA: 31 });
    expect(s.evses.map((e) => e.evseKey).sort()).toEqual(['GA1/1', 'GA2/1']);
    for (const e of s.evses) {
      expect(e.status).toBe('inactive');
      expect(e.baseShareA).toBe(9.5); // (40 - 20 worst case - 1 margin) / 2 on L2, which both use
    }
    expect(s.lastDecision?.reasons.some((r) => r.startsWith('meter'))).toBe(true);
    expect(s.dispatch).toEqual({ writes: 0, accepted: 0, rejected: 0, failed: 0 });
  });
});

describe('GET /api/evses/:stationId/:evseId/schedule', () => {
  it('answers with the effective composite schedule and the source of every limit', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/evses/GA1/1/schedule?durationS=600' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ evseKey: string; limit: { source: string }; limits: Array<{ source: string }>; schedule: { durationS: number; rateUnit: string; periods: Array<{ startOffsetS: number; limit: number; source: string }> } }>();
    expect(body.evseKey).toBe('GA1/1');
    expect(body.schedule.durationS).toBe(600);
    expect(body.schedule.rateUnit).toBe('A');
    expect(body.schedule.periods[0]?.startOffsetS).toBe(0);
    for (const p of body.schedule.periods) expect(typeof p.source).toBe('string');
    expect(body.limits.length).toBeGreaterThan(0);
    for (const l of body.limits) expect(l.source).toMatch(/\S/);
  });

  it('defaults to a one-hour horizon', async () => {
    const res = await api.inject({ method: 'GET', url: '/api/evses/GA2/1/schedule' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ schedule: { durationS: number } }>().schedule.durationS).toBe(3600);
  });

  it.each(['/api/evses/NOPE/1/schedule', '/api/evses/GA1/2/schedule'])('answers 404 NOT_FOUND for an EVSE not in the site config: %s', async (url) => {
    const res = await api.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.json<ErrorBody>().error.code).toBe('NOT_FOUND');
  });

  it.each(['abc', '1.5', '10', '604801', '-60'])('answers 400 naming durationS when it is %s', async (d) => {
    const res = await api.inject({ method: 'GET', url: `/api/evses/GA1/1/schedule?durationS=${d}` });
    expect(res.statusCode).toBe(400);
    const body = res.json<ErrorBody>();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('durationS');
  });
});

describe('POST and DELETE /api/site/limits', () => {
  it('sets a temporary site import limit that the site shows, triggers a decision, and expires', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/site/limits', payload: { powerW: 11_000, durationS: 600 } });
    expect(res.statusCode).toBe(201);
    const nowMs = clock.nowMs();
    expect(res.json()).toEqual({ powerW: 11_000, untilMs: nowMs + 600_000, source: 'override:api' });

    clock.advanceMs(200);
    const s = await site();
    expect(s.siteLimit).toEqual({ powerW: 11_000, untilMs: nowMs + 600_000, source: 'override:api' });
    expect(s.lastDecision?.reasons).toContain('site limit override lowered'); // below the grid connection: decided at once

    clock.advanceMs(600_000);
    expect((await site()).siteLimit).toBeUndefined();
  });

  it('defaults the duration to one hour', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/site/limits', payload: { powerW: 5_000 } });
    expect(res.statusCode).toBe(201);
    expect(res.json<{ untilMs: number }>().untilMs).toBe(clock.nowMs() + 3_600_000);
    await api.inject({ method: 'DELETE', url: '/api/site/limits' });
  });

  it('clears the limit with DELETE (204), also when there is none', async () => {
    await api.inject({ method: 'POST', url: '/api/site/limits', payload: { powerW: 7_000, durationS: 60 } });
    const res = await api.inject({ method: 'DELETE', url: '/api/site/limits' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await site()).siteLimit).toBeUndefined();
    expect((await api.inject({ method: 'DELETE', url: '/api/site/limits' })).statusCode).toBe(204);
  });

  it.each([
    ['powerW', {}],
    ['powerW', { powerW: '11000' }],
    ['powerW', { powerW: -1 }],
    ['powerW', { powerW: null, durationS: 60 }],
    ['powerW', { powerW: '' }],
    ['powerW', { powerW: true }],
    ['durationS', { powerW: 11_000, durationS: 0 }],
    ['durationS', { powerW: 11_000, durationS: 1.5 }],
    ['durationS', { powerW: 11_000, durationS: '600' }],
    ['durationS', { powerW: 11_000, durationS: 604_801 }],
  ] as const)('answers 400 naming %s for %j and keeps the limit in force', async (field, payload) => {
    const before = await api.inject({ method: 'POST', url: '/api/site/limits', payload: { powerW: 20_000, durationS: 600 } });
    expect(before.statusCode).toBe(201);
    const res = await api.inject({ method: 'POST', url: '/api/site/limits', payload });
    expect(res.statusCode).toBe(400);
    const body = res.json<ErrorBody>();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain(field);
    expect((await site()).siteLimit).toEqual(before.json());
  });

  it('answers 400 MALFORMED_JSON to a body that is not JSON', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/site/limits', headers: { 'content-type': 'application/json' }, payload: '{"powerW": 1' });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error.code).toBe('MALFORMED_JSON');
  });
});

describe('the site limit endpoints with an API token configured', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer energy-routes-token-2' }],
    ['a token of another length', { authorization: 'Bearer x' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('answers 401 UNAUTHORIZED with %s and changes nothing', async (_what, headers) => {
    const post = await secured.hub.api.inject({ method: 'POST', url: '/api/site/limits', headers, payload: { powerW: 9_000, durationS: 60 } });
    expect(post.statusCode).toBe(401);
    expect(post.json<ErrorBody>().error.code).toBe('UNAUTHORIZED');
    const del = await secured.hub.api.inject({ method: 'DELETE', url: '/api/site/limits', headers });
    expect(del.statusCode).toBe(401);
    expect((await site(secured.hub.api)).siteLimit).toBeUndefined();
  });

  it('accepts the configured bearer token, and keeps reads open', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const post = await secured.hub.api.inject({ method: 'POST', url: '/api/site/limits', headers, payload: { powerW: 9_000, durationS: 60 } });
    expect(post.statusCode).toBe(201);
    expect((await site(secured.hub.api)).siteLimit?.powerW).toBe(9_000);
    const kept = await secured.hub.api.inject({ method: 'DELETE', url: '/api/site/limits', headers: { authorization: 'Bearer wrong-token-000' } });
    expect(kept.statusCode).toBe(401);
    expect((await site(secured.hub.api)).siteLimit?.powerW).toBe(9_000);
    const del = await secured.hub.api.inject({ method: 'DELETE', url: '/api/site/limits', headers });
    expect(del.statusCode).toBe(204);
    expect((await site(secured.hub.api)).siteLimit).toBeUndefined();
    expect((await secured.hub.api.inject({ method: 'GET', url: '/api/evses/GA1/1/schedule' })).statusCode).toBe(200);
  });
});
