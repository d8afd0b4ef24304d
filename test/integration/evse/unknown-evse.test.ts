import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestHub(`
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1 }, { id: 2 }] }
  - { id: CP201, securityProfile: 0, evses: [{ id: 1, connectors: 2 }] }
authorization:
  list: [{ idToken: TAG }]
`);
});
afterAll(async () => h.stop());

const now = () => new Date().toISOString();

describe('EVSE and connector ids the config does not have', () => {
  it('1.6: a StatusNotification for an unconfigured connector is refused with PropertyConstraintViolation and not stored', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP16', { version: '1.6' });
    await cp.connect();
    await cp.call('BootNotification', boot16);
    await expect(cp.call('StatusNotification', { connectorId: 7, errorCode: 'NoError', status: 'Available' })).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available' });
    await cp.call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    expect(h.hub.store.connectors.listByStation('CP16').map((c) => c.evseId)).toEqual([0, 2]);
    await cp.close({ force: true });
  });

  it('2.0.1: an unconfigured EVSE or connector is refused in StatusNotification and MeterValues; a configured one is stored', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    await cp.connect();
    await cp.call('BootNotification', boot2x);
    const status = (evseId: number, connectorId: number) => cp.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId, connectorId });
    await expect(status(3, 1)).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    await expect(status(1, 3)).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    await status(1, 2);
    const meter = { timestamp: now(), sampledValue: [{ value: 1 }] };
    await expect(cp.call('MeterValues', { evseId: 9, meterValue: [meter] })).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    await cp.call('MeterValues', { evseId: 1, meterValue: [meter] });
    expect(h.hub.store.connectors.listByStation('CP201').map((c) => [c.evseId, c.connectorId])).toEqual([[1, 2]]);
    await cp.close({ force: true });
  });

  it('2.0.1: a transaction on an unconfigured EVSE is still recorded (billing data is never refused)', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    await cp.connect();
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: now(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: 'T-ODD' },
      evse: { id: 5, connectorId: 1 },
      idToken: { idToken: 'TAG', type: 'ISO14443' },
    });
    expect(h.hub.store.transactions.get('CP201', 'T-ODD')?.evseId).toBe(5);
    await cp.close({ force: true });
  });
});
