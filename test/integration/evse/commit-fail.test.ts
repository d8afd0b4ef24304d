import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { startTestHub, ocppClient, boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';
import { callWithFailedCommit } from '../../helpers/commit-gate.js';

/**
 * Standalone mode (no CSMS) when the commit of a station's transaction message fails
 * (GroupCommit.gateCommits, as a full disk would): the station gets InternalError (never a
 * CALLRESULT for a message that was rolled back), and its re-send is recorded once and answered.
 */

const SITE = `
stations:
  - { id: CP16, securityProfile: 0 }
  - { id: CP201, securityProfile: 0 }
authorization:
  list: [{ idToken: LOCAL1 }]
`;

const t0 = (): string => new Date().toISOString();
const reading = (wh: number): Record<string, unknown> => ({ timestamp: t0(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });

let h: Harness;
const clients: RPCClient[] = [];

async function station(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = ocppClient(h.hub.ocppUrl, id, { version });
  clients.push(c);
  await c.connect();
  return c;
}

/** Sends a call whose commit fails; resolves with its outcome. */
async function failing(c: RPCClient, action: string, payload: unknown): Promise<unknown> {
  return callWithFailedCommit(h, c, action, payload);
}

beforeEach(async () => {
  h = await startTestHub(SITE);
});

afterEach(async () => {
  h.hub.store.batch.gateCommits(undefined);
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
});

describe('standalone: a station message whose commit fails', () => {
  it('1.6: StartTransaction, MeterValues and StopTransaction answered with InternalError; each re-send recorded once', async () => {
    const c = await station('CP16', '1.6');
    await c.call('BootNotification', boot16);

    const startReq = { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() };
    await expect(failing(c, 'StartTransaction', startReq)).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    expect(h.hub.store.transactions.list().filter((t) => t.stationId === 'CP16')).toEqual([]);
    const start = (await c.call('StartTransaction', startReq)) as { transactionId: number; idTagInfo: { status: string } };
    expect(start.idTagInfo.status).toBe('Accepted');
    const txId = String(start.transactionId);
    expect(h.hub.store.transactions.list().filter((t) => t.stationId === 'CP16').map((t) => t.transactionId)).toEqual([txId]);

    const mv = { connectorId: 1, transactionId: start.transactionId, meterValue: [reading(150)] };
    await expect(failing(c, 'MeterValues', mv)).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    expect(h.hub.store.transactions.events('CP16', txId).map((e) => e.eventType)).toEqual(['Started']);
    await expect(c.call('MeterValues', mv)).resolves.toEqual({});

    const stop = { transactionId: start.transactionId, meterStop: 250, timestamp: t0(), reason: 'Local' };
    await expect(failing(c, 'StopTransaction', stop)).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    expect(h.hub.store.transactions.get('CP16', txId)?.status).not.toBe('Ended');
    await expect(c.call('StopTransaction', stop)).resolves.toMatchObject({});
    expect(h.hub.store.transactions.events('CP16', txId).map((e) => e.eventType)).toEqual(['Started', 'Updated', 'Ended']);
    expect(h.hub.store.transactions.get('CP16', txId)?.status).toBe('Ended');
  });

  it('2.0.1: a TransactionEvent answered with InternalError; the re-send recorded once', async () => {
    const c = await station('CP201', '2.0.1');
    await c.call('BootNotification', boot2x);
    const ev = (eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, wh: number): Record<string, unknown> => ({
      eventType,
      timestamp: t0(),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId: 'TX-S', ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
      evse: { id: 1, connectorId: 1 },
      ...(eventType === 'Started' ? { idToken: { idToken: 'LOCAL1', type: 'ISO14443' } } : {}),
      meterValue: [{ timestamp: t0(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
    });

    for (const [type, seqNo, wh] of [['Started', 0, 100], ['Updated', 1, 150], ['Ended', 2, 200]] as const) {
      await expect(failing(c, 'TransactionEvent', ev(type, seqNo, wh))).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
      expect(h.hub.store.transactions.events('CP201', 'TX-S').map((e) => e.seqNo)).toEqual([0, 1, 2].slice(0, seqNo));
      await expect(c.call('TransactionEvent', ev(type, seqNo, wh))).resolves.toMatchObject({});
    }
    expect(h.hub.store.transactions.events('CP201', 'TX-S').map((e) => e.seqNo)).toEqual([0, 1, 2]);
    expect(h.hub.store.transactions.get('CP201', 'TX-S')?.status).toBe('Ended');
  });
});
