import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, ocppClient, boot16, type Harness } from '../../helpers/hub-harness.js';
import type { PowerHistory } from '../../../src/api/history-queries.js';
import { apiClient, type ErrorBody } from './api-client.js';

/**
 * The power history and the sessions list against a real hub on a fake clock and a real SQLite
 * file: an OCPP 1.6 strict client charges at 10 A, then 16 A, on three phases (6.9 kW, 11 kW at
 * 230 V) and stops; the hub is then restarted on the same data directory.
 */
const TOKEN = 'history-token-0001';
const SITE = `
api: { token: ${TOKEN} }
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 0 }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
authorization:
  list: [{ idToken: GOOD-TAG-42 }]
`;
/** A minute boundary, so the figures below fall into whole minutes. */
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

let h: Harness;
let clock: FakeClock;
let cp: RPCClient;
let startedMs: number;
let endedMs: number;

const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));
/** Moves the fake clock on in 5 s steps, letting sockets work between them. */
async function advanceS(seconds: number): Promise<void> {
  for (let s = 0; s < seconds; s += 5) {
    clock.advanceMs(5000);
    await yieldToIo();
  }
}

const iso = () => new Date(clock.nowMs()).toISOString();
const currents = (a: number, wh: number) => ({
  connectorId: 1,
  transactionId: 0,
  meterValue: [{
    timestamp: iso(),
    sampledValue: [
      { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
      ...(['L1', 'L2', 'L3'] as const).map((phase) => ({ value: String(a), measurand: 'Current.Import', phase, unit: 'A' })),
    ],
  }],
});

beforeAll(async () => {
  clock = new FakeClock(T0);
  h = await startTestHub(SITE, { clock });
  cp = ocppClient(h.hub.ocppUrl, 'CP16', { version: '1.6' });
  cp.handle(async () => ({ status: 'Accepted' }));
  await cp.connect();
  await cp.call('BootNotification', boot16);
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  startedMs = clock.nowMs();
  const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'GOOD-TAG-42', meterStart: 0, timestamp: iso() })) as { transactionId: number };
  const txId = start.transactionId;
  await cp.call('MeterValues', { ...currents(10, 0), transactionId: txId });
  await advanceS(5 * 60);
  await cp.call('MeterValues', { ...currents(16, 600), transactionId: txId });
  await advanceS(2 * 60);
  endedMs = clock.nowMs();
  await cp.call('StopTransaction', { transactionId: txId, idTag: 'GOOD-TAG-42', meterStop: 1000, timestamp: iso(), reason: 'EVDisconnected' });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  await advanceS(60);
}, 60_000);

afterAll(async () => {
  await cp?.close();
  await h?.stop();
});

describe('GET /api/history', () => {
  it('returns the EVSE power and the site EV total per minute, with each minute\'s peak', async () => {
    const api = apiClient(h.hub.api);
    const hist = await api.get<PowerHistory>('/api/history?range=1h');
    expect(hist).toMatchObject({ stepS: 60, resolutionS: 60, toMs: clock.nowMs() });
    expect(hist.t.length).toBeGreaterThanOrEqual(8);
    expect(hist.t.every((t) => t % 60_000 === 0)).toBe(true);
    const evse = hist.evses.find((e) => e.evseKey === 'CP16/1');
    expect(evse).toBeDefined();
    const at = (t: number) => hist.t.indexOf(t);
    // Minutes 1-4 at 10 A x 3 x 230 V; minute 6 at 16 A.
    expect(evse?.powerW[at(T0 + 2 * 60_000)]).toBe(6900);
    expect(evse?.powerW[at(T0 + 6 * 60_000)]).toBe(11040);
    expect(Math.max(...(evse?.maxW ?? []).map((w) => w ?? 0))).toBe(11040);
    expect(hist.site.evW[at(T0 + 2 * 60_000)]).toBe(6900);
    // No grid meter on this site: no grid figure, but the fuse gives a site limit (32 A x 3 x 230 V).
    expect(hist.site.gridW.every((w) => w === null)).toBe(true);
    expect(hist.site.limitW[at(T0 + 2 * 60_000)]).toBe(22080);
  });

  it('gives only the site series when asked (what the dashboard chart reads)', async () => {
    const api = apiClient(h.hub.api);
    const all = await api.get<PowerHistory>('/api/history?range=1h');
    const site = await api.get<PowerHistory>('/api/history?range=1h&series=site');
    expect(site.evses).toEqual([]);
    expect(site.t).toEqual(all.t);
    expect(site.site).toEqual(all.site);
  });

  it('groups minutes into larger steps by their sample-weighted mean', async () => {
    const api = apiClient(h.hub.api);
    const hist = await api.get<PowerHistory>(`/api/history?from=${T0}&to=${T0 + 10 * 60_000}&step=600`);
    expect(hist.t).toEqual([T0]);
    const w = hist.evses.find((e) => e.evseKey === 'CP16/1')?.powerW[0] ?? 0;
    expect(w).toBeGreaterThan(6900);
    expect(w).toBeLessThan(11040);
  });

  it('refuses a window it cannot answer with 400 INVALID_RANGE and the reason', async () => {
    const api = apiClient(h.hub.api);
    const reversed = await api.send('GET', `/api/history?from=${T0}&to=${T0 - 1}`);
    expect(reversed.status).toBe(400);
    expect((reversed.body as ErrorBody).error).toEqual({ code: 'INVALID_RANGE', message: 'querystring.from: from must be before to', field: 'querystring.from' });
    const oddStep = await api.send('GET', '/api/history?range=1h&step=90');
    expect((oddStep.body as ErrorBody).error).toMatchObject({ code: 'INVALID_RANGE', field: 'querystring.step' });
    const unknown = await api.send('GET', '/api/history?range=2h');
    expect(unknown.status).toBe(400);
    expect((unknown.body as ErrorBody).error).toMatchObject({ code: 'BAD_REQUEST', field: 'querystring.range' });
  });
});

describe('GET /api/sessions and /api/sessions.csv', () => {
  it('lists the completed session with its energy and peak power, the id token masked without the API token', async () => {
    const open = apiClient(h.hub.api);
    const { sessions } = await open.get<{ sessions: Array<Record<string, unknown>> }>('/api/sessions');
    expect(sessions).toEqual([
      {
        stationId: 'CP16',
        evseId: 1,
        evseKey: 'CP16/1',
        transactionId: expect.any(String),
        idToken: '***42',
        startedMs,
        endedMs,
        energyWh: 1000,
        maxPowerW: 11040,
        stoppedReason: 'EVDisconnected',
      },
    ]);
    const withToken = apiClient(h.hub.api, TOKEN);
    const unmasked = await withToken.get<{ sessions: Array<{ idToken?: string }> }>('/api/sessions');
    expect(unmasked.sessions[0]?.idToken).toBe('GOOD-TAG-42');
    const before = await open.get<{ sessions: unknown[] }>(`/api/sessions?to=${startedMs}`);
    expect(before.sessions).toEqual([]);
  });

  it('exports them as CSV with a header row', async () => {
    const res = await h.hub.api.inject({ method: 'GET', url: '/api/sessions.csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="sessions\.csv"/);
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('station,evse,transaction,id_token,start_utc,end_utc,energy_kwh,max_power_kw,stopped_reason');
    expect(lines[1]).toMatch(new RegExp(`^CP16,1,\\d+,\\*\\*\\*42,${new Date(startedMs).toISOString()},${new Date(endedMs).toISOString()},1,11.04,EVDisconnected$`));
    expect(lines.slice(2)).toEqual(['']);
  });

  it('refuses a reversed window with INVALID_RANGE', async () => {
    const res = await h.hub.api.inject({ method: 'GET', url: '/api/sessions.csv?from=2026-01-05T09:00:00Z&to=2026-01-05T08:00:00Z' });
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error.code).toBe('INVALID_RANGE');
  });
});

describe('after a restart on the same data directory', () => {
  it('still has the history and the sessions', async () => {
    await cp.close();
    const dir = h.dir;
    await h.hub.stop();
    const again = await startTestHub(SITE, { clock, dir });
    try {
      const api = apiClient(again.hub.api);
      const hist = await api.get<PowerHistory>('/api/history?range=1h');
      expect(hist.evses.find((e) => e.evseKey === 'CP16/1')?.powerW).toContain(6900);
      const { sessions } = await api.get<{ sessions: Array<{ maxPowerW?: number }> }>('/api/sessions');
      expect(sessions.map((s) => s.maxPowerW)).toEqual([11040]);
    } finally {
      await again.hub.stop();
    }
  });
});
