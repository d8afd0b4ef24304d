import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { callWithFailedCommit } from '../../helpers/commit-gate.js';
import { StrictCsms } from './strict-csms.js';
import { meterValue16, t0, txEvent } from './proxy-site.js';
import { SITE, charger, hubOf, hubSiteYaml, siteReady, transactionEvents, txIdOf } from './hub-site.js';

/**
 * Hub mode when the commit of a charger's transaction message fails (GroupCommit.gateCommits, as
 * a full disk would): the charger gets InternalError, nothing of the message reaches the CSMS,
 * and the charger's re-send is recorded once and reaches the CSMS exactly once, in sequence.
 */

let csms: StrictCsms;
let h: Harness;
const clients: RPCClient[] = [];

async function cp(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = await charger(h, id, version);
  clients.push(c);
  return c;
}

/** Sends a call whose commit fails; resolves with its outcome. */
async function failing(c: RPCClient, action: string, payload: unknown): Promise<unknown> {
  await flushed();
  return callWithFailedCommit(h, c, action, payload);
}

beforeEach(async () => {
  csms = new StrictCsms({ passwords: { [SITE]: 'pw-site' } });
  await csms.start();
  h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url }), { clock: new FakeClock(Date.now()) });
  await siteReady(h);
});

afterEach(async () => {
  h.hub.store.batch.gateCommits(undefined);
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

/** What the CSMS got as TransactionEvents: [eventType, seqNo]. */
function upstreamEvents(): Array<[unknown, unknown]> {
  return transactionEvents(csms).map((e) => [e.params['eventType'], e.params['seqNo']]);
}

/** A round trip on the site's link: anything the hub had sent before is at the CSMS now. */
async function flushed(): Promise<void> {
  await hubOf(h).pump.whenIdle();
  await (await csms.client(SITE)).call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
}

describe('hub mode: a charger message whose commit fails', () => {
  it('1.6: StartTransaction, MeterValues and StopTransaction each answered with InternalError, never sent up; the re-sends go up once, in sequence', async () => {
    const c = await cp('CP16', '1.6');
    await c.call('BootNotification', boot16);
    await flushed();

    await expect(failing(c, 'StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await flushed();
    expect(upstreamEvents()).toEqual([]);
    expect(h.hub.store.outbox.count()).toBe(0);
    expect(h.hub.store.transactions.list().filter((t) => t.stationId === 'CP16')).toEqual([]);

    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(start.idTagInfo.status).toBe('Accepted');
    await flushed();
    expect(upstreamEvents()).toEqual([['Started', 0]]);

    const mv = { connectorId: 1, transactionId: start.transactionId, meterValue: [meterValue16(150)] };
    await expect(failing(c, 'MeterValues', mv)).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await flushed();
    expect(upstreamEvents()).toEqual([['Started', 0]]);
    await expect(c.call('MeterValues', mv)).resolves.toEqual({});

    const stop = { transactionId: start.transactionId, meterStop: 250, timestamp: t0(), reason: 'Local' };
    await expect(failing(c, 'StopTransaction', stop)).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await flushed();
    expect(upstreamEvents()).toEqual([
      ['Started', 0],
      ['Updated', 1],
    ]);
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))?.status).not.toBe('Ended');
    await expect(c.call('StopTransaction', stop)).resolves.toMatchObject({});
    await flushed();
    expect(upstreamEvents()).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    expect(new Set(transactionEvents(csms).map(txIdOf)).size).toBe(1);
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))?.status).toBe('Ended');
    expect(h.hub.store.outbox.count()).toBe(0);
  });

  it('2.0.1: a TransactionEvent answered with InternalError is never sent up; the re-send goes up once with the next upstream seqNo', async () => {
    const c = await cp('CP201', '2.0.1');
    await c.call('BootNotification', boot2x);
    await flushed();

    await expect(failing(c, 'TransactionEvent', txEvent('Started', 0, 'TX-F', 100))).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await flushed();
    expect(upstreamEvents()).toEqual([]);
    expect(h.hub.store.transactions.events('CP201', 'TX-F')).toEqual([]);

    await expect(c.call('TransactionEvent', txEvent('Started', 0, 'TX-F', 100))).resolves.toMatchObject({});
    await expect(failing(c, 'TransactionEvent', txEvent('Updated', 1, 'TX-F', 150))).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    await flushed();
    expect(upstreamEvents()).toEqual([['Started', 0]]);
    await expect(c.call('TransactionEvent', txEvent('Updated', 1, 'TX-F', 150))).resolves.toMatchObject({});
    await expect(c.call('TransactionEvent', txEvent('Ended', 2, 'TX-F', 200))).resolves.toMatchObject({});
    await flushed();
    expect(upstreamEvents()).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    expect(h.hub.store.transactions.events('CP201', 'TX-F').map((e) => e.seqNo)).toEqual([0, 1, 2]);
    expect(h.hub.store.outbox.count()).toBe(0);
  });
});
