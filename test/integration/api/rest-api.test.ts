import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { EvseApiView } from '../../../src/api/evse-view.js';
import { startTestHub, profileAcceptingStation16, type Harness } from '../../helpers/hub-harness.js';
import { apiClient, type ErrorBody } from './api-client.js';

/** The REST API through inject() against a real hub on free ports, with a token and a fake clock. */
const TOKEN = 'rest-api-token-0001';
const SITE = `
api: { token: ${TOKEN} }
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 0 }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: IDLE1, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 1, phaseRotation: [L2], maxCurrentA: 32, priority: 2 }] }
authorization:
  list: [{ idToken: GOOD-TAG }, { idToken: BLOCKED-TAG, status: Blocked }]
`;

let h: Harness;
let clock: FakeClock;
let cp: RPCClient;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  api = apiClient(h.hub.api, TOKEN);
  cp = await profileAcceptingStation16(h.hub.ocppUrl, 'CP16');
  clock.advanceMs(200); // the first decision (debounced)
});

afterAll(async () => {
  await cp?.close();
  await h?.stop();
});

function errorOf(body: unknown): ErrorBody['error'] {
  return (body as ErrorBody).error;
}

describe('reading the hub', () => {
  it('answers /api/health with the number of connected stations, degraded while a configured station is offline', async () => {
    expect(await api.get('/api/health')).toEqual({ status: 'degraded', reasons: ['station IDLE1 offline (never connected)'], uptimeS: expect.any(Number), stationsConnected: 1, upstream: 'none' });
  });

  it('lists stations with their connection state and connectors', async () => {
    const { stations } = await api.get<{ stations: Array<{ stationId: string; connected: boolean; evses: Array<{ evseId: number; connectors: Array<{ status: string }> }> }> }>('/api/stations');
    const cp16 = stations.find((s) => s.stationId === 'CP16');
    expect(cp16).toMatchObject({ connected: true, evses: [{ evseId: 1, connectors: [{ status: 'Available' }] }] });
  });

  it('shows one station, and 404 NOT_FOUND naming the field for an unknown one', async () => {
    expect(await api.get('/api/stations/CP16')).toMatchObject({ stationId: 'CP16', version: '1.6', bootStatus: 'Accepted' });
    const res = await api.send('GET', '/api/stations/NOPE');
    expect(res.status).toBe(404);
    expect(errorOf(res.body)).toMatchObject({ code: 'NOT_FOUND', field: 'params.stationId' });
  });

  it('lists every configured EVSE with phases, priority, mode, connection and its limit with sources', async () => {
    const { evses } = await api.get<{ evses: EvseApiView[] }>('/api/evses');
    expect(evses.map((e) => e.evseKey)).toEqual(['CP16/1', 'IDLE1/1']);
    const [cp16, idle] = evses;
    expect(cp16).toMatchObject({ stationId: 'CP16', evseId: 1, connected: true, phases: 3, phaseRotation: ['L1', 'L2', 'L3'], priority: 1, mode: 'LocalLoadBalancing', active: false, circuitId: 'main' });
    expect(cp16?.connectors).toMatchObject([{ connectorId: 1, status: 'Available' }]);
    expect(cp16?.limit?.source).toEqual(expect.any(String));
    expect(cp16?.limits.length).toBeGreaterThan(0);
    expect(idle).toMatchObject({ connected: false, phases: 1, phaseRotation: ['L2'], priority: 2, connectors: [] });
  });

  it('shows one EVSE, 404 for one not in the config and 400 naming params.evseId for a bad id', async () => {
    expect(await api.get('/api/evses/CP16/1')).toMatchObject({ evseKey: 'CP16/1' });
    // Each one as the list shows it (built alone, not picked from the list).
    const { evses } = await api.get<{ evses: EvseApiView[] }>('/api/evses');
    for (const e of evses) expect(await api.get(`/api/evses/${e.stationId}/${e.evseId}`)).toEqual(e);
    const missing = await api.send('GET', '/api/evses/CP16/2');
    expect([missing.status, errorOf(missing.body).code]).toEqual([404, 'NOT_FOUND']);
    for (const bad of ['zero', '0', '1.5']) {
      const res = await api.send('GET', `/api/evses/CP16/${bad}`);
      expect([res.status, errorOf(res.body).code, errorOf(res.body).field]).toEqual([400, 'BAD_REQUEST', 'params.evseId']);
    }
  });

  it('shows the site with its circuits per phase', async () => {
    const site = await api.get<{ circuits: Array<{ circuitId: string; phases: { L1: { limitA: number } } }> }>('/api/site');
    expect(site.circuits).toMatchObject([{ circuitId: 'main', phases: { L1: { limitA: 32 } } }]);
  });

  it('lists transactions and names the query field it refuses', async () => {
    expect(await api.get('/api/transactions?status=Active&limit=5')).toEqual({ transactions: [] });
    for (const [query, field] of [
      ['status=Bogus', 'querystring.status'],
      ['limit=0', 'querystring.limit'],
      ['limit=ten', 'querystring.limit'],
      ['limt=5', 'querystring.limt'],
    ] as const) {
      const res = await api.send('GET', `/api/transactions?${query}`);
      expect([res.status, errorOf(res.body).code, errorOf(res.body).field]).toEqual([400, 'BAD_REQUEST', field]);
    }
  });

  it('answers 404 NOT_FOUND for a route that does not exist', async () => {
    const res = await api.send('GET', '/api/nothing-here');
    expect([res.status, errorOf(res.body).code]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('the token rule on write endpoints', () => {
  const writes: Array<[method: 'POST' | 'DELETE' | 'PATCH' | 'PUT', url: string, body?: object]> = [
    ['POST', '/api/site/limits', { powerW: 5000 }],
    ['DELETE', '/api/site/limits'],
    ['PATCH', '/api/evses/CP16/1', { priority: 5 }],
    ['POST', '/api/stations/CP16/evses/1/start', { idToken: 'GOOD-TAG' }],
    ['POST', '/api/stations/CP16/evses/1/stop'],
    ['PUT', '/api/authorizations/NEW-TAG', { status: 'Accepted' }],
    ['DELETE', '/api/authorizations/GOOD-TAG'],
  ];

  for (const [method, url, body] of writes) {
    it(`answers 401 UNAUTHORIZED to ${method} ${url} without a token and with a wrong one, and changes nothing`, async () => {
      const before = [await api.get('/api/site'), await api.get('/api/evses'), await api.get('/api/authorizations')];
      for (const auth of [null, 'wrong-token-000000', `${TOKEN}x`]) {
        const res = await api.send(method, url, body, auth);
        expect([res.status, errorOf(res.body).code]).toEqual([401, 'UNAUTHORIZED']);
      }
      clock.advanceMs(200);
      const after = [await api.get('/api/site'), await api.get('/api/evses'), await api.get('/api/authorizations')];
      expect(after[1]).toEqual(before[1]);
      expect(after[2]).toEqual(before[2]);
      expect((after[0] as { siteLimit?: unknown }).siteLimit).toEqual((before[0] as { siteLimit?: unknown }).siteLimit);
    });
  }

  it('checks the token before the body, so a caller without one learns nothing about the body', async () => {
    const res = await api.send('POST', '/api/site/limits', { powerW: 'lots' }, null);
    expect(res.status).toBe(401);
  });

  it('keeps reads open without a token', async () => {
    const res = await api.send('GET', '/api/evses', undefined, null);
    expect(res.status).toBe(200);
  });
});

describe('EVSE settings', () => {
  it('sets priority and mode in memory and the next decision runs for it', async () => {
    const res = await api.send('PATCH', '/api/evses/IDLE1/1', { priority: 4, mode: 'Idle' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ evseKey: 'IDLE1/1', priority: 4, mode: 'Idle' });
    expect(h.hub.energy.site.evses.find((e) => e.key === 'IDLE1/1')?.priority).toBe(4);
    clock.advanceMs(200);
    expect(h.hub.energy.lastDecision()?.reasons).toContain('settings IDLE1/1');
    expect(await api.get('/api/evses/IDLE1/1')).toMatchObject({ priority: 4, mode: 'Idle' });
    expect(await api.get('/api/evses/CP16/1')).toMatchObject({ priority: 1, mode: 'LocalLoadBalancing' });
  });

  it('refuses a bad priority, an unknown mode, unknown fields and an empty body, naming the field', async () => {
    for (const [body, field] of [
      [{ priority: 0 }, 'body.priority'],
      [{ priority: '3' }, 'body.priority'],
      [{ mode: 'Turbo' }, 'body.mode'],
      [{ prio: 3 }, 'body.prio'],
    ] as const) {
      const res = await api.send('PATCH', '/api/evses/CP16/1', body);
      expect([res.status, errorOf(res.body).code, errorOf(res.body).field]).toEqual([400, 'BAD_REQUEST', field]);
    }
    const empty = await api.send('PATCH', '/api/evses/CP16/1', {});
    expect([empty.status, errorOf(empty.body).code]).toEqual([400, 'BAD_REQUEST']);
    expect(await api.get('/api/evses/CP16/1')).toMatchObject({ priority: 1 });
  });

  it('answers 404 for an EVSE not in the config', async () => {
    const res = await api.send('PATCH', '/api/evses/CP16/9', { priority: 2 });
    expect([res.status, errorOf(res.body).code]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('the site limit override', () => {
  it('is set with 201 and cleared with 204', async () => {
    const set = await api.send('POST', '/api/site/limits', { powerW: 7000, durationS: 600 });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ powerW: 7000, source: 'override:api' });
    expect(await api.get('/api/site')).toMatchObject({ siteLimit: { powerW: 7000 } });
    const cleared = await api.send('DELETE', '/api/site/limits');
    expect(cleared.status).toBe(204);
    expect(await api.get('/api/site')).not.toHaveProperty('siteLimit');
  });

  it('takes a JSON body as typed: a number in a string is refused', async () => {
    const res = await api.send('POST', '/api/site/limits', { powerW: '7000' });
    expect([res.status, errorOf(res.body).field]).toEqual([400, 'body.powerW']);
  });
});

describe('the local authorization list', () => {
  it('lists the entries with the list version', async () => {
    const list = await api.get<{ version: number; entries: Array<{ idToken: string; status: string }> }>('/api/authorizations');
    expect(list.version).toEqual(expect.any(Number));
    expect(list.entries).toEqual(expect.arrayContaining([{ idToken: 'GOOD-TAG', status: 'Accepted' }, { idToken: 'BLOCKED-TAG', status: 'Blocked' }]));
  });

  it('adds an entry with 201, replaces it with 200, and the station is authorized from it', async () => {
    const created = await api.send('PUT', '/api/authorizations/API-TAG', {});
    expect([created.status, created.body]).toEqual([201, { idToken: 'API-TAG', status: 'Accepted' }]);
    expect(await cp.call('Authorize', { idTag: 'API-TAG' })).toEqual({ idTagInfo: { status: 'Accepted' } });
    const replaced = await api.send('PUT', '/api/authorizations/API-TAG', { status: 'Blocked', expiry: '2030-01-01T00:00:00.000Z', parentIdToken: 'FLEET' });
    expect([replaced.status, replaced.body]).toEqual([200, { idToken: 'API-TAG', status: 'Blocked', expiry: '2030-01-01T00:00:00.000Z', parentIdToken: 'FLEET' }]);
    expect(await api.get('/api/authorizations/API-TAG')).toEqual({ idToken: 'API-TAG', status: 'Blocked', expiry: '2030-01-01T00:00:00.000Z', parentIdToken: 'FLEET' });
    expect(await cp.call('Authorize', { idTag: 'API-TAG' })).toMatchObject({ idTagInfo: { status: 'Blocked' } });
  });

  it('removes an entry with 204, then answers 404 for it', async () => {
    await api.send('PUT', '/api/authorizations/GONE-TAG', {});
    expect((await api.send('DELETE', '/api/authorizations/GONE-TAG')).status).toBe(204);
    for (const [method, url] of [
      ['GET', '/api/authorizations/GONE-TAG'],
      ['DELETE', '/api/authorizations/GONE-TAG'],
    ] as const) {
      const res = await api.send(method, url);
      expect([res.status, errorOf(res.body).code, errorOf(res.body).field]).toEqual([404, 'NOT_FOUND', 'params.idToken']);
    }
  });

  it('refuses an unknown status, a malformed expiry and unknown fields, naming the field, and stores nothing', async () => {
    for (const [body, field] of [
      [{ status: 'Maybe' }, 'body.status'],
      [{ expiry: 'next tuesday' }, 'body.expiry'],
      [{ colour: 'red' }, 'body.colour'],
    ] as const) {
      const res = await api.send('PUT', '/api/authorizations/BAD-TAG', body);
      expect([res.status, errorOf(res.body).code, errorOf(res.body).field]).toEqual([400, 'BAD_REQUEST', field]);
    }
    expect((await api.send('GET', '/api/authorizations/BAD-TAG')).status).toBe(404);
  });
});
