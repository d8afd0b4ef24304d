import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHub, ocppClient, boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';

const SITE = `
server: { admitUnknownStations: false }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1 }, { id: 2 }] }
  - { id: CP201, securityProfile: 0 }
  - { id: CP21, securityProfile: 0 }
  - { id: PENDING1, securityProfile: 0, bootStatus: Pending }
authorization:
  list:
    - { idToken: GOOD-TAG }
    - { idToken: BLOCKED-TAG, status: Blocked }
    - { idToken: OLD-TAG, expiry: '2001-01-01T00:00:00Z' }
`;

let h: Harness;
beforeAll(async () => {
  h = await startTestHub(SITE);
});
afterAll(async () => {
  await h.stop();
});

async function apiGet<T>(url: string): Promise<T> {
  const res = await h.hub.api.inject({ method: 'GET', url });
  expect(res.statusCode).toBe(200);
  return res.json<T>();
}

describe('an OCPP 1.6 station in standalone mode', () => {
  it('boots, heartbeats, reports status, authorizes and runs a transaction that the API shows', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP16');
    await cp.connect();
    const boot = (await cp.call('BootNotification', boot16)) as { status: string; interval: number };
    expect(boot).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(await cp.call('Heartbeat', {})).toHaveProperty('currentTime');
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });

    expect(await cp.call('Authorize', { idTag: 'GOOD-TAG' })).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await cp.call('Authorize', { idTag: 'BLOCKED-TAG' })).toEqual({ idTagInfo: { status: 'Blocked' } });
    expect(await cp.call('Authorize', { idTag: 'OLD-TAG' })).toEqual({ idTagInfo: { status: 'Expired' } });
    expect(await cp.call('Authorize', { idTag: 'NOBODY' })).toEqual({ idTagInfo: { status: 'Invalid' } });

    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'GOOD-TAG', meterStart: 1000, timestamp: new Date().toISOString() })) as {
      transactionId: number;
      idTagInfo: { status: string };
    };
    expect(start.idTagInfo.status).toBe('Accepted');
    expect(Number.isInteger(start.transactionId)).toBe(true);
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });

    const live = await apiGet<{ stations: Array<{ stationId: string; connected: boolean; evses: Array<{ evseId: number; connectors: Array<{ detail?: string }>; transaction?: { transactionId: string } }> }> }>('/api/stations');
    const st = live.stations.find((s) => s.stationId === 'CP16');
    expect(st?.connected).toBe(true);
    const evse1 = st?.evses.find((e) => e.evseId === 1);
    expect(evse1?.connectors[0]?.detail).toBe('Charging');
    expect(evse1?.transaction?.transactionId).toBe(String(start.transactionId));

    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 4000, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
    const txs = await apiGet<{ transactions: Array<{ transactionId: string; status: string; energyWh?: number; lastSeqNo: number; stoppedReason?: string }> }>('/api/transactions?stationId=CP16');
    const tx = txs.transactions.find((t) => t.transactionId === String(start.transactionId));
    expect(tx).toMatchObject({ status: 'Ended', energyWh: 3000, lastSeqNo: 2, stoppedReason: 'EVDisconnected' });
    const events = h.hub.store.transactions.events('CP16', String(start.transactionId));
    expect(events.map((e) => [e.eventType, e.seqNo])).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    await cp.close();
  });

  it('answers DataTransfer with UnknownVendorId and stores notifications', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP16');
    await cp.connect();
    expect(await cp.call('DataTransfer', { vendorId: 'com.example', data: 'x' })).toEqual({ status: 'UnknownVendorId' });
    expect(await cp.call('FirmwareStatusNotification', { status: 'Idle' })).toEqual({});
    expect(await cp.call('DiagnosticsStatusNotification', { status: 'Idle' })).toEqual({});
    await cp.close();
  });

  it('hands out increasing transaction ids', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP16');
    await cp.connect();
    const ts = new Date().toISOString();
    const a = (await cp.call('StartTransaction', { connectorId: 2, idTag: 'GOOD-TAG', meterStart: 0, timestamp: ts })) as { transactionId: number };
    await cp.call('StopTransaction', { transactionId: a.transactionId, meterStop: 10, timestamp: ts });
    const b = (await cp.call('StartTransaction', { connectorId: 2, idTag: 'GOOD-TAG', meterStart: 0, timestamp: ts })) as { transactionId: number };
    expect(b.transactionId).toBeGreaterThan(a.transactionId);
    await cp.close();
  });
});

describe('an OCPP 2.0.1 station in standalone mode', () => {
  it('boots, reports status, authorizes and runs a TransactionEvent sequence kept in order', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    await cp.connect();
    expect(await cp.call('BootNotification', boot2x)).toMatchObject({ status: 'Accepted', interval: 300 });
    await cp.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    expect(await cp.call('Authorize', { idToken: { idToken: 'GOOD-TAG', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const transactionId = randomUUID();
    const ts = () => new Date().toISOString();
    const started = await cp.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: ts(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      idToken: { idToken: 'GOOD-TAG', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: 200, measurand: 'Energy.Active.Import.Register', context: 'Transaction.Begin' }] }],
    });
    expect(started).toEqual({ idTokenInfo: { status: 'Accepted' } });
    await cp.call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: ts(),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId },
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: 1.2, unitOfMeasure: { unit: 'kWh', multiplier: 0 } }] }],
    });
    await cp.call('TransactionEvent', {
      eventType: 'Ended',
      timestamp: ts(),
      triggerReason: 'EVCommunicationLost',
      seqNo: 2,
      transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' },
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: 2200, context: 'Transaction.End' }] }],
    });
    const tx = h.hub.store.transactions.get('CP201', transactionId);
    expect(tx).toMatchObject({ status: 'Ended', evseId: 1, lastSeqNo: 2, stoppedReason: 'EVDisconnected', energyWh: 2000 });
    await cp.close();
  });

  it('stores a duplicate seqNo only once', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    await cp.connect();
    const transactionId = randomUUID();
    const ev = { eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId }, evse: { id: 1 } };
    await cp.call('TransactionEvent', ev);
    await cp.call('TransactionEvent', ev);
    expect(h.hub.store.transactions.events('CP201', transactionId)).toHaveLength(1);
    await cp.close();
  });

  it('accepts NotifyEvent, SecurityEventNotification and NotifyReport', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    await cp.connect();
    const ts = new Date().toISOString();
    expect(await cp.call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: ts })).toEqual({});
    expect(
      await cp.call('NotifyEvent', {
        generatedAt: ts,
        seqNo: 0,
        eventData: [{ eventId: 1, timestamp: ts, trigger: 'Delta', actualValue: 'x', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector' }, variable: { name: 'Problem' } }],
      }),
    ).toEqual({});
    expect(await cp.call('NotifyReport', { requestId: 1, generatedAt: ts, seqNo: 0 })).toEqual({});
    expect(await cp.call('DataTransfer', { vendorId: 'com.example' })).toEqual({ status: 'UnknownVendorId' });
    await cp.close();
  });
});

describe('an OCPP 2.1 station', () => {
  it('boots and is accepted', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP21', { version: '2.1' });
    await cp.connect();
    expect(await cp.call('BootNotification', boot2x)).toMatchObject({ status: 'Accepted' });
    const st = h.hub.store.stations.get('CP21');
    expect(st?.version).toBe('2.1');
    await cp.close();
  });
});

describe('a station the config marks Pending', () => {
  it('gets Pending at boot and SecurityError for anything else', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'PENDING1');
    await cp.connect();
    expect(await cp.call('BootNotification', boot16)).toMatchObject({ status: 'Pending' });
    await expect(cp.call('Heartbeat', {})).rejects.toMatchObject({ rpcErrorCode: 'SecurityError' });
    await cp.close();
  });
});
