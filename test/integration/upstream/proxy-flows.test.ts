import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { closed, linkState, meterValue16, proxySiteYaml, t0, txEvent } from './proxy-site.js';

let csms: StrictCsms;
let h: Harness;
const clients: RPCClient[] = [];

async function charger(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = ocppClient(h.hub.ocppUrl, id, { version });
  clients.push(c);
  await c.connect();
  return c;
}

beforeEach(async () => {
  csms = new StrictCsms({ passwords: { CP16: 'pw-cp16', CP201: 'pw-cp201' }, authorize: { BLOCKED1: 'Blocked' } });
  await csms.start();
  h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }), { clock: new FakeClock(Date.now()) });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

describe('proxy mode', () => {
  it('relays a full OCPP 1.6 session, the CSMS answering billing calls, with its transaction ids upstream', async () => {
    const cp = await charger('CP16', '1.6');
    const boot = (await cp.call('BootNotification', boot16)) as { status: string };
    expect(boot.status).toBe('Accepted');
    expect(csms.of('CP16', 'BootNotification')).toHaveLength(1);

    // The CSMS's answer is final, even against the hub's local list.
    await expect(cp.call('Authorize', { idTag: 'BLOCKED1' })).resolves.toEqual({ idTagInfo: { status: 'Blocked' } });

    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number; idTagInfo: { status: string } };
    const csmsStart = csms.of('CP16', 'StartTransaction');
    expect(csmsStart).toHaveLength(1);
    await cp.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [meterValue16(150)] });
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 200, timestamp: t0(), reason: 'Local' });

    const csmsTxId = 5000;
    expect(csms.of('CP16', 'MeterValues')[0]?.params['transactionId']).toBe(csmsTxId);
    expect(csms.of('CP16', 'StopTransaction')[0]?.params).toMatchObject({ transactionId: csmsTxId, meterStop: 200 });
    expect(csms.of('CP16').map((c) => c.method)).toEqual(['BootNotification', 'Authorize', 'StatusNotification', 'StartTransaction', 'MeterValues', 'StopTransaction']);
    // The hub recorded the session under the station's (hub-assigned) id.
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))?.status).toBe('Ended');
    expect(h.hub.store.outbox.count('CP16')).toBe(0);
  });

  it('relays a full OCPP 2.0.1 session verbatim, not marked offline', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await cp.call('StatusNotification', { timestamp: t0(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-A', 0));
    await cp.call('TransactionEvent', txEvent('Updated', 1, 'TX-A', 500));
    await cp.call('TransactionEvent', txEvent('Ended', 2, 'TX-A', 900));
    const events = csms.of('CP201', 'TransactionEvent');
    expect(events.map((e) => e.params['seqNo'])).toEqual([0, 1, 2]);
    expect(events.every((e) => e.params['offline'] === undefined)).toBe(true);
    expect(events.every((e) => (e.params['transactionInfo'] as { transactionId: string }).transactionId === 'TX-A')).toBe(true);
  });

  it('routes a CSMS call to the station with the station’s transaction id and returns its answer', async () => {
    const cp = await charger('CP16', '1.6');
    const seen: unknown[] = [];
    cp.handle('RemoteStopTransaction', async ({ params }) => {
      seen.push(params);
      return { status: 'Accepted' };
    });
    await cp.call('BootNotification', boot16);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    const server = await csms.client('CP16');
    await expect(server.call('RemoteStopTransaction', { transactionId: 5000 })).resolves.toEqual({ status: 'Accepted' });
    expect(seen).toEqual([{ transactionId: start.transactionId }]);
  });

  it('answers CSMS calls to a disconnected station at once', async () => {
    const cp = await charger('CP16', '1.6');
    await cp.call('BootNotification', boot16);
    const server = await csms.client('CP16');
    const gone = closed(cp);
    await cp.close();
    await gone;
    await expect(server.call('RemoteStartTransaction', { idTag: 'LOCAL1' })).resolves.toEqual({ status: 'Rejected' });
    await expect(server.call('GetConfiguration', {})).rejects.toMatchObject({ rpcErrorCode: 'GenericError' });
  });

  it('presents each station’s upstream password and shows the link in the API', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await linkState(h, 'CP201', '2.0.1', 'connected');
    expect(csms.rejectedAuth).toEqual([]);
    const res = await h.hub.api.inject({ method: 'GET', url: '/api/upstream' });
    const body = res.json<{ mode: string; links: Array<{ name: string; state: string; outboxDepth: number }>; traffic: Array<{ links: Record<string, Record<string, { framesOut: number; wireBytesOut: number }>> }> }>();
    expect(body.mode).toBe('proxy');
    expect(body.links).toEqual([expect.objectContaining({ name: 'CP201', state: 'connected', outboxDepth: 0 })]);
    const boot = body.traffic[0]?.links['CP201']?.['BootNotification'];
    expect(boot?.framesOut).toBe(1);
    expect(boot?.wireBytesOut).toBeGreaterThan(0);
  });
});
