import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { holdCommits } from '../../helpers/commit-gate.js';
import { StrictCsms } from './strict-csms.js';
import { meterValue16, proxyOf, proxySiteYaml, t0, txEvent } from './proxy-site.js';

/**
 * The forward path of proxy mode with a slow commit (GroupCommit.gateCommits holds each batch's
 * commit until the test releases it, as a slow fsync would): a live message leaves for the CSMS
 * while the commit of its record runs, the station's answer still waits for that commit, a
 * commit that fails after the message left is never acknowledged, and a 1.6 StartTransaction
 * leaves only once committed.
 */

let csms: StrictCsms;
let h: Harness;
const clients: RPCClient[] = [];

async function charger(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = ocppClient(h.hub.ocppUrl, id, { version });
  clients.push(c);
  await c.connect();
  return c;
}

/** Tracks whether a call has been answered (CALLRESULT or CALLERROR) yet. */
function track<T>(p: Promise<T>): { settled: () => boolean; result: Promise<T> } {
  let done = false;
  const result = p.finally(() => {
    done = true;
  });
  result.catch(() => undefined);
  return { settled: () => done, result };
}

beforeEach(async () => {
  csms = new StrictCsms({ passwords: { CP16: 'pw-cp16', CP201: 'pw-cp201' } });
  await csms.start();
  h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }), { clock: new FakeClock(Date.now()) });
});

afterEach(async () => {
  h.hub.store.batch.gateCommits(undefined);
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

describe('proxy mode: forwarding while the record commits', () => {
  it('sends a 1.6 MeterValues to the CSMS before its commit finished, and answers the station only after it', async () => {
    const cp = await charger('CP16', '1.6');
    cp.handle('GetConfiguration', () => Promise.resolve({ configurationKey: [] }));
    await cp.call('BootNotification', boot16);
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
    const pump = proxyOf(h).station('CP16', '1.6').pump;
    await pump.whenIdle();

    const gate = holdCommits(h);
    const reading = meterValue16(150);
    const call = track(cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [reading] }));
    await gate.entered;
    // The CSMS gets it while the commit is still held (before: it waited for the commit).
    await csms.until(() => csms.of('CP16', 'MeterValues').length === 1);
    expect(csms.of('CP16', 'MeterValues')[0]?.params).toEqual({ connectorId: 1, transactionId: 5000, meterValue: [reading] });
    // The CSMS answered at once. A round trip through the hub to the station after that answer:
    // an answer the hub had sent the station would have reached it first. It still waits, and
    // the row is not acknowledged before its commit either.
    await (await csms.client('CP16')).call('GetConfiguration', {});
    expect(call.settled()).toBe(false);
    expect(h.hub.store.outbox.count('CP16')).toBe(1);

    gate.open();
    await expect(call.result).resolves.toEqual({});
    await pump.whenIdle();
    expect(h.hub.store.outbox.count('CP16')).toBe(0);
    expect(h.hub.store.transactions.events('CP16', String(transactionId)).filter((e) => e.eventType === 'Updated')).toHaveLength(1);
    expect(csms.of('CP16', 'MeterValues')).toHaveLength(1);
  });

  it('does not send a 1.6 StartTransaction before its commit (its "sent" mark must be durable first)', async () => {
    const cp = await charger('CP16', '1.6');
    cp.handle('GetConfiguration', () => Promise.resolve({ configurationKey: [] }));
    await cp.call('BootNotification', boot16);
    await proxyOf(h).station('CP16', '1.6').pump.whenIdle();

    const gate = holdCommits(h);
    const call = track(cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() }));
    await gate.entered;
    // A round trip on the same upstream connection: a frame the hub had sent before its answer would be here first.
    const upstream = await csms.client('CP16');
    await upstream.call('GetConfiguration', {});
    expect(csms.of('CP16', 'StartTransaction')).toHaveLength(0);
    expect(call.settled()).toBe(false);

    gate.open();
    await expect(call.result).resolves.toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(csms.of('CP16', 'StartTransaction')).toHaveLength(1);
  });

  it('answers a 2.0.1 TransactionEvent whose commit failed after it left with InternalError; the re-send goes up with the same seqNo and is recorded once', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-OVL', 100));
    const pump = proxyOf(h).station('CP201', '2.0.1').pump;
    await pump.whenIdle();

    const gate = holdCommits(h);
    const updated = txEvent('Updated', 1, 'TX-OVL', 150);
    const first = track(cp.call('TransactionEvent', updated));
    await csms.until(() => csms.of('CP201', 'TransactionEvent').length === 2);
    gate.fail(new Error('database or disk is full'));
    await expect(first.result).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    // Nothing of it stayed at the hub: no event, no outbox row.
    expect(h.hub.store.transactions.events('CP201', 'TX-OVL').map((e) => e.seqNo)).toEqual([0]);
    expect(h.hub.store.outbox.count('CP201')).toBe(0);

    // The station sends it again: the CSMS gets the same transactionId + seqNo (OCPP's key for a repeat).
    await expect(cp.call('TransactionEvent', updated)).resolves.toEqual({});
    const seen = csms.of('CP201', 'TransactionEvent').map((c) => [c.params['eventType'], c.params['seqNo']]);
    expect(seen).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Updated', 1],
    ]);
    expect(h.hub.store.transactions.events('CP201', 'TX-OVL').map((e) => e.seqNo)).toEqual([0, 1]);

    // And the next message continues the sequence.
    await cp.call('TransactionEvent', txEvent('Updated', 2, 'TX-OVL', 180));
    expect(csms.of('CP201', 'TransactionEvent').at(-1)?.params['seqNo']).toBe(2);
  });
});
