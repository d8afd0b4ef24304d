import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { closed, proxyOf, proxySiteYaml, t0, txEvent } from './proxy-site.js';

let csms: StrictCsms;
let h: Harness;
let clock: FakeClock;
const clients: RPCClient[] = [];

/** A charger that answers the CSMS's configuration calls and records what it was sent. */
async function charger(id: string, version: '1.6' | '2.0.1', received: Array<[string, unknown]> = []): Promise<RPCClient> {
  const c = ocppClient(h.hub.ocppUrl, id, { version });
  clients.push(c);
  c.handle(async ({ method, params }) => {
    received.push([method ?? '', params]);
    if (method === 'SetVariables') {
      const data = (params as { setVariableData: Array<{ component: unknown; variable: unknown }> }).setVariableData;
      return { setVariableResult: data.map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })) };
    }
    return { status: 'Accepted' };
  });
  await c.connect();
  return c;
}

async function reboot(c: RPCClient): Promise<void> {
  const gone = closed(c);
  await c.close();
  await gone;
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

describe('ReEnroll and reboots in proxy mode', () => {
  it('re-applies configuration, availability and the local list a 1.6 charger was given, after it reboots', async () => {
    const cp = await charger('CP16', '1.6');
    await cp.call('BootNotification', boot16);
    const server = await csms.client('CP16');
    await server.call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' });
    await server.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' });
    await server.call('SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'CARD9', idTagInfo: { status: 'Accepted' } }] });
    await reboot(cp);

    const received: Array<[string, unknown]> = [];
    const fresh = await charger('CP16', '1.6', received);
    await fresh.call('BootNotification', boot16);
    await new Promise<void>((resolve) => {
      const check = (): void => (received.length >= 3 ? resolve() : void setImmediate(check));
      check();
    });
    expect(received).toEqual([
      ['ChangeAvailability', { connectorId: 1, type: 'Inoperative' }],
      ['ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' }],
      ['SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'CARD9', idTagInfo: { status: 'Accepted' } }] }],
    ]);
  });

  it('ends a 1.6 transaction upstream when its charger reboots, and does not forward the charger’s late stop again', async () => {
    const cp = await charger('CP16', '1.6');
    await cp.call('BootNotification', boot16);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await cp.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: t0(), sampledValue: [{ value: '250' }] }] });
    await reboot(cp);

    const fresh = await charger('CP16', '1.6');
    await fresh.call('BootNotification', boot16);
    await csms.until(() => csms.of('CP16', 'StopTransaction').length === 1);
    expect(csms.of('CP16', 'StopTransaction')[0]?.params).toMatchObject({ transactionId: 5000, meterStop: 250, reason: 'Reboot' });
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))?.status).toBe('Ended');

    await fresh.call('StopTransaction', { transactionId: start.transactionId, meterStop: 260, timestamp: t0(), reason: 'PowerLoss' });
    await proxyOf(h).station('CP16', '1.6').pump.whenIdle();
    expect(csms.of('CP16', 'StopTransaction')).toHaveLength(1);
  });

  it('ends a 1.6 transaction after a reboot with the register its bill reads: kWh in Wh, phase rows left out', async () => {
    const cp = await charger('CP16', '1.6');
    await cp.call('BootNotification', boot16);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 1000, timestamp: t0() })) as { transactionId: number };
    const reading = (sampledValue: unknown[]) => ({ connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: t0(), sampledValue }] });
    // The phase total in kWh, then per-phase registers (smaller, in Wh) in the same reading.
    await cp.call('MeterValues', reading([{ value: '3.25', unit: 'kWh' }, { value: '1100', phase: 'L1', unit: 'Wh' }, { value: '1050', phase: 'L2', unit: 'Wh' }]));
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))?.energyWh).toBe(2250); // what the bill reads
    await reboot(cp);

    const fresh = await charger('CP16', '1.6');
    await fresh.call('BootNotification', boot16);
    await csms.until(() => csms.of('CP16', 'StopTransaction').length === 1);
    expect(csms.of('CP16', 'StopTransaction')[0]?.params).toMatchObject({ meterStop: 3250, reason: 'Reboot' });
  });

  it('2.0.1: ends a transaction not resumed within the grace time after a reboot, keeps one that resumes', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-GONE', 0));
    await cp.call('TransactionEvent', { ...txEvent('Started', 0, 'TX-BACK', 0), evse: { id: 2, connectorId: 1 } });
    await reboot(cp);

    const fresh = await charger('CP201', '2.0.1');
    await fresh.call('BootNotification', { ...boot2x, reason: 'PowerUp' });
    await fresh.call('TransactionEvent', { ...txEvent('Updated', 1, 'TX-BACK', 10), evse: { id: 2, connectorId: 1 } });
    const before = csms.of('CP201', 'TransactionEvent').length;
    clock.advanceMs(60_000);
    await csms.until(() => csms.of('CP201', 'TransactionEvent').length === before + 1);
    const ended = csms.of('CP201', 'TransactionEvent').at(-1);
    expect(ended?.params).toMatchObject({ eventType: 'Ended', seqNo: 1, triggerReason: 'AbnormalCondition', transactionInfo: { transactionId: 'TX-GONE', stoppedReason: 'Reboot' } });
    expect(h.hub.store.transactions.get('CP201', 'TX-BACK')?.status).toBe('Active');
  });

  it('re-applies variables a 2.0.1 charger accepted', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    const server = await csms.client('CP201');
    const data = { attributeValue: '30', component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } };
    await server.call('SetVariables', { setVariableData: [data] });
    await reboot(cp);
    const received: Array<[string, unknown]> = [];
    const fresh = await charger('CP201', '2.0.1', received);
    await fresh.call('BootNotification', boot2x);
    await new Promise<void>((resolve) => {
      const check = (): void => (received.length >= 1 ? resolve() : void setImmediate(check));
      check();
    });
    expect(received).toEqual([['SetVariables', { setVariableData: [data] }]]);
  });
});
