import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { EvseApiView } from '../../../src/api/evse-view.js';
import { startTestHub, ocppClient, boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';
import { apiClient, type ErrorBody } from './api-client.js';

/**
 * Starting and stopping transactions through the API (standalone mode) against ocpp-rpc strict
 * clients: an OCPP 1.6 station that handles RemoteStart/StopTransaction and an OCPP 2.0.1 one
 * that handles RequestStart/StopTransaction. Both EVSEs share one 20 A circuit on L1.
 */
const TOKEN = 'remote-tx-token-0001';
const SITE = `
api: { token: ${TOKEN} }
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 20, worstCaseNonEvA: 0 }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: CP201, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 1, phaseRotation: [L1], maxCurrentA: 32 }] }
  - { id: OFFLINE, securityProfile: 0, evses: [{ id: 1, circuit: main }] }
authorization:
  list: [{ idToken: GOOD-TAG }]
`;

interface Received {
  method: string;
  params: Record<string, unknown>;
}

let h: Harness;
let clock: FakeClock;
let api: ReturnType<typeof apiClient>;
let cp16: RPCClient;
let cp201: RPCClient;
const received: Record<string, Received[]> = { CP16: [], CP201: [] };

/** A strict client that accepts profiles and remote start/stop, rejects idToken REJECT-ME and fails on FAIL-ME. */
function station(id: 'CP16' | 'CP201', version: '1.6' | '2.0.1'): RPCClient {
  const client = ocppClient(h.hub.ocppUrl, id, { version });
  client.handle(async ({ method = '', params = {} }) => {
    received[id]?.push({ method, params });
    const tag = JSON.stringify(params);
    if (tag.includes('REJECT-ME')) return { status: 'Rejected' };
    if (tag.includes('FAIL-ME')) throw new Error('station trouble');
    return { status: 'Accepted' };
  });
  return client;
}

const lastOf = (id: string, method: string): Received | undefined => [...(received[id] ?? [])].reverse().find((r) => r.method === method);

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  api = apiClient(h.hub.api, TOKEN);
  cp16 = station('CP16', '1.6');
  cp201 = station('CP201', '2.0.1');
  await cp16.connect();
  await cp201.connect();
  await cp16.call('BootNotification', boot16);
  await cp201.call('BootNotification', boot2x);
});

afterAll(async () => {
  await cp16?.close();
  await cp201?.close();
  await h?.stop();
});

function errorOf(body: unknown): ErrorBody['error'] {
  return (body as ErrorBody).error;
}

async function limitsA(): Promise<Record<string, number | undefined>> {
  const { evses } = await api.get<{ evses: EvseApiView[] }>('/api/evses');
  return Object.fromEntries(evses.map((e) => [e.evseKey, e.limit?.maxCurrentA]));
}

describe('starting and stopping a transaction through the API', () => {
  let tx16 = 0;

  it('sends RemoteStartTransaction to an OCPP 1.6 station and answers 202 when it accepts', async () => {
    const res = await api.send('POST', '/api/stations/CP16/evses/1/start', { idToken: 'GOOD-TAG' });
    expect([res.status, res.body]).toEqual([202, { status: 'Accepted', stationId: 'CP16', evseId: 1 }]);
    expect(lastOf('CP16', 'RemoteStartTransaction')?.params).toEqual({ connectorId: 1, idTag: 'GOOD-TAG' });
    const started = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'GOOD-TAG', meterStart: 0, timestamp: new Date(clock.nowMs()).toISOString() })) as { transactionId: number };
    tx16 = started.transactionId;
    const evse = await api.get<EvseApiView>('/api/evses/CP16/1');
    expect(evse).toMatchObject({ active: true, transaction: { transactionId: String(tx16), idToken: 'GOOD-TAG', status: 'Active' } });
  });

  it('sends RequestStartTransaction with a remoteStartId to an OCPP 2.0.1 station', async () => {
    const res = await api.send('POST', '/api/stations/CP201/evses/1/start', { idToken: 'GOOD-TAG' });
    expect(res.status).toBe(202);
    const { remoteStartId } = res.body as { remoteStartId: number };
    expect(lastOf('CP201', 'RequestStartTransaction')?.params).toEqual({ evseId: 1, remoteStartId, idToken: { idToken: 'GOOD-TAG', type: 'Central' } });
    await cp201.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date(clock.nowMs()).toISOString(),
      triggerReason: 'RemoteStart',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-201', remoteStartId },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken: 'GOOD-TAG', type: 'Central' },
    });
    expect(await api.get('/api/evses/CP201/1')).toMatchObject({ active: true, transaction: { transactionId: 'TX-201' } });
  });

  it('shares the circuit by priority once an EVSE priority is raised', async () => {
    clock.advanceMs(200);
    const before = await limitsA();
    expect(before['CP16/1']).toBe(before['CP201/1']);
    const res = await api.send('PATCH', '/api/evses/CP201/1', { priority: 3 });
    expect(res.status).toBe(200);
    clock.advanceMs(200);
    const after = await limitsA();
    expect(after['CP201/1']).toBeGreaterThan(after['CP16/1'] ?? Infinity);
  });

  it('answers 409 STATION_REJECTED when the station rejects, and 502 STATION_CALL_FAILED when its call fails', async () => {
    const rejected = await api.send('POST', '/api/stations/CP201/evses/1/start', { idToken: 'REJECT-ME' });
    expect([rejected.status, errorOf(rejected.body).code]).toEqual([409, 'STATION_REJECTED']);
    const failed = await api.send('POST', '/api/stations/CP16/evses/1/start', { idToken: 'FAIL-ME' });
    expect([failed.status, errorOf(failed.body).code]).toEqual([502, 'STATION_CALL_FAILED']);
  });

  it('answers 409 STATION_NOT_CONNECTED for a configured station that is offline, 404 for an unknown one', async () => {
    const offline = await api.send('POST', '/api/stations/OFFLINE/evses/1/start', { idToken: 'GOOD-TAG' });
    expect([offline.status, errorOf(offline.body).code]).toEqual([409, 'STATION_NOT_CONNECTED']);
    const unknown = await api.send('POST', '/api/stations/NOPE/evses/1/stop');
    expect([unknown.status, errorOf(unknown.body).code]).toEqual([404, 'NOT_FOUND']);
  });

  it('answers 400 naming the field for a missing idToken, one too long for 1.6, and a bad EVSE id', async () => {
    const missing = await api.send('POST', '/api/stations/CP16/evses/1/start', {});
    expect([missing.status, errorOf(missing.body).field]).toEqual([400, 'body.idToken']);
    const long = await api.send('POST', '/api/stations/CP16/evses/1/start', { idToken: 'T'.repeat(21) });
    expect([long.status, errorOf(long.body).field]).toEqual([400, 'body.idToken']);
    const badEvse = await api.send('POST', '/api/stations/CP16/evses/-1/start', { idToken: 'GOOD-TAG' });
    expect([badEvse.status, errorOf(badEvse.body).field]).toEqual([400, 'params.evseId']);
  });

  it('sends RemoteStopTransaction with the integer id to the 1.6 station', async () => {
    const res = await api.send('POST', '/api/stations/CP16/evses/1/stop');
    expect([res.status, res.body]).toEqual([202, { status: 'Accepted', stationId: 'CP16', evseId: 1, transactionId: String(tx16) }]);
    expect(lastOf('CP16', 'RemoteStopTransaction')?.params).toEqual({ transactionId: tx16 });
    await cp16.call('StopTransaction', { transactionId: tx16, meterStop: 1000, timestamp: new Date(clock.nowMs()).toISOString(), reason: 'Remote' });
    const again = await api.send('POST', '/api/stations/CP16/evses/1/stop');
    expect([again.status, errorOf(again.body).code]).toEqual([409, 'NO_ACTIVE_TRANSACTION']);
  });

  it('sends RequestStopTransaction with the transaction id to the 2.0.1 station', async () => {
    const res = await api.send('POST', '/api/stations/CP201/evses/1/stop');
    expect([res.status, res.body]).toMatchObject([202, { transactionId: 'TX-201' }]);
    expect(lastOf('CP201', 'RequestStopTransaction')?.params).toEqual({ transactionId: 'TX-201' });
  });
});
