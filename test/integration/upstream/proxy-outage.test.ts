import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { linkState, meterValue16, proxyOf, proxySiteYaml, t0, txEvent } from './proxy-site.js';

let csms: StrictCsms;
let h: Harness;
let clock: FakeClock;
const clients: RPCClient[] = [];

async function charger(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = ocppClient(h.hub.ocppUrl, id, { version });
  clients.push(c);
  await c.connect();
  return c;
}

/** Stops the CSMS and waits until the hub's link for the station noticed. */
async function outage(stationId: string, version: '1.6' | '2.0.1'): Promise<void> {
  await csms.stop();
  await linkState(h, stationId, version, 'backoff');
}

/** Starts the CSMS again on its port and lets the link's 1 s backoff run out. */
async function recover(stationId: string, version: '1.6' | '2.0.1'): Promise<void> {
  await csms.start();
  clock.advanceMs(1000);
  await linkState(h, stationId, version, 'connected');
}

beforeEach(async () => {
  csms = new StrictCsms();
  await csms.start();
  clock = new FakeClock(Date.now());
  h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }), { clock });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

describe('proxy mode through a CSMS outage', () => {
  it('1.6: charging goes on, and every message reaches the CSMS once, in order, with the CSMS’s transaction ids', async () => {
    const cp = await charger('CP16', '1.6');
    await cp.call('BootNotification', boot16);
    const first = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await cp.call('MeterValues', { connectorId: 1, transactionId: first.transactionId, meterValue: [meterValue16(1)] });

    await outage('CP16', '1.6');
    for (const wh of [2, 3, 4]) await cp.call('MeterValues', { connectorId: 1, transactionId: first.transactionId, meterValue: [meterValue16(wh)] });
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 5, timestamp: t0() });
    // A whole transaction while the CSMS is away: the hub answers, with its own id.
    const offline = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 5, timestamp: t0() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(offline.idTagInfo.status).toBe('Accepted');
    await cp.call('MeterValues', { connectorId: 1, transactionId: offline.transactionId, meterValue: [meterValue16(6)] });
    await cp.call('StopTransaction', { transactionId: offline.transactionId, meterStop: 7, timestamp: t0() });
    // Unknown tokens follow the offline policy (Invalid).
    await expect(cp.call('Authorize', { idTag: 'STRANGER' })).resolves.toEqual({ idTagInfo: { status: 'Invalid' } });
    expect(h.hub.store.outbox.count('CP16')).toBe(7);

    await recover('CP16', '1.6');
    await csms.until(() => csms.of('CP16', 'StopTransaction').length === 2);
    await proxyOf(h).station('CP16', '1.6').pump.whenIdle();
    const upstream = csms.of('CP16').filter((c) => c.method !== 'BootNotification');
    expect(upstream.map((c) => c.method)).toEqual([
      'StartTransaction', 'MeterValues', 'MeterValues', 'MeterValues', 'MeterValues', 'StopTransaction',
      'StartTransaction', 'MeterValues', 'StopTransaction',
    ]);
    const wh = csms.of('CP16', 'MeterValues').map((c) => Number((c.params['meterValue'] as Array<{ sampledValue: Array<{ value: string }> }>)[0]?.sampledValue[0]?.value));
    expect(wh).toEqual([1, 2, 3, 4, 6]);
    const ids = upstream.map((c) => c.params['transactionId']).filter((id) => id !== undefined);
    expect(ids).toEqual([5000, 5000, 5000, 5000, 5000, 5001, 5001]);
    expect(h.hub.store.outbox.count('CP16')).toBe(0);
  });

  it('1.6: a token the CSMS accepted live is accepted from the cache while the CSMS is away, an unknown one is not', async () => {
    const cp = await charger('CP16', '1.6');
    await cp.call('BootNotification', boot16);
    await expect(cp.call('Authorize', { idTag: 'REGULAR1' })).resolves.toEqual({ idTagInfo: { status: 'Accepted' } });
    await outage('CP16', '1.6');
    await expect(cp.call('Authorize', { idTag: 'REGULAR1' })).resolves.toMatchObject({ idTagInfo: { status: 'Accepted' } });
    await expect(cp.call('Authorize', { idTag: 'STRANGER' })).resolves.toEqual({ idTagInfo: { status: 'Invalid' } });
  });

  it('2.0.1: TransactionEvents answered by the hub are replayed marked offline, seqNo continuous, none twice', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-OUT', 0));

    await outage('CP201', '2.0.1');
    for (const seqNo of [1, 2, 3]) await cp.call('TransactionEvent', txEvent('Updated', seqNo, 'TX-OUT', seqNo * 100));
    const ended = (await cp.call('TransactionEvent', { ...txEvent('Ended', 4, 'TX-OUT', 400), idToken: { idToken: 'LOCAL1', type: 'ISO14443' } })) as { idTokenInfo?: { status: string } };
    expect(ended.idTokenInfo?.status).toBe('Accepted');

    await recover('CP201', '2.0.1');
    await csms.until(() => csms.of('CP201', 'TransactionEvent').length === 5);
    await proxyOf(h).station('CP201', '2.0.1').pump.whenIdle();
    const events = csms.of('CP201', 'TransactionEvent');
    expect(events.map((e) => e.params['seqNo'])).toEqual([0, 1, 2, 3, 4]);
    expect(events.map((e) => e.params['offline'] ?? false)).toEqual([false, true, true, true, true]);
    expect(h.hub.store.outbox.count('CP201')).toBe(0);
  });

  it('2.0.1: a TransactionEvent recorded with the link up whose send the link dropped is replayed marked offline', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-DROP', 0));
    // The CSMS takes the next event and never answers; then it goes away, and the link with it.
    csms.hold = (method, params) => method === 'TransactionEvent' && params['seqNo'] === 1;
    const pending = cp.call('TransactionEvent', txEvent('Updated', 1, 'TX-DROP', 100));
    await csms.until(() => csms.of('CP201', 'TransactionEvent').length === 2);
    await outage('CP201', '2.0.1');
    await expect(pending).resolves.toBeDefined(); // the hub's own answer
    csms.hold = undefined;

    await recover('CP201', '2.0.1');
    await csms.until(() => csms.of('CP201', 'TransactionEvent').length === 3);
    await proxyOf(h).station('CP201', '2.0.1').pump.whenIdle();
    const events = csms.of('CP201', 'TransactionEvent');
    expect(events.map((e) => e.params['seqNo'])).toEqual([0, 1, 1]);
    expect(events.map((e) => e.params['offline'] ?? false)).toEqual([false, false, true]);
    expect(h.hub.store.outbox.count('CP201')).toBe(0);
  });

  it('keeps answering in order: while the outbox drains, new messages queue behind it', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await outage('CP201', '2.0.1');
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-Q', 0));
    await cp.call('TransactionEvent', txEvent('Updated', 1, 'TX-Q', 10));
    await csms.start();
    clock.advanceMs(1000);
    // Sent while the replay may be running: never overtakes the queued events.
    await cp.call('TransactionEvent', txEvent('Ended', 2, 'TX-Q', 20));
    await csms.until(() => csms.of('CP201', 'TransactionEvent').length === 3);
    expect(csms.of('CP201', 'TransactionEvent').map((e) => e.params['seqNo'])).toEqual([0, 1, 2]);
  });
});
