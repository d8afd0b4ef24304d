import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { openStore } from '../../../src/store/store.js';
import { envelopeOf, outboxKindOf, prepareProxyMessage } from '../../../src/upstream/proxy/proxy-outbox.js';
import { TxIdMap } from '../../../src/upstream/proxy/tx-id-map.js';
import { Restatements } from '../../../src/upstream/proxy/restatements.js';
import { answerForOfflineStation } from '../../../src/upstream/offline-station-answer.js';
import type { OutboxEntry } from '../../../src/store/outbox-repo.js';

const entry = (action: string, payload: unknown, extra: object = {}): OutboxEntry => ({ seq: 1, link: 'CP', action, payload: { payload, ...extra }, kind: 'billing', createdMs: 0 });

describe('proxy outbox rows', () => {
  it('classes periodic meter values and statuses to be shed before transaction messages', () => {
    expect(outboxKindOf('MeterValues', { connectorId: 1, meterValue: [{ timestamp: 't', sampledValue: [{ value: '1' }] }] })).toBe('periodic');
    expect(outboxKindOf('MeterValues', { connectorId: 1, meterValue: [{ timestamp: 't', sampledValue: [{ value: '1', context: 'Transaction.End' }] }] })).toBe('billing');
    expect(outboxKindOf('TransactionEvent', { eventType: 'Updated', triggerReason: 'MeterValuePeriodic' })).toBe('periodic');
    expect(outboxKindOf('TransactionEvent', { eventType: 'Updated', triggerReason: 'ChargingStateChanged' })).toBe('billing');
    expect(outboxKindOf('StopTransaction', {})).toBe('billing');
    expect(outboxKindOf('StatusNotification', {})).toBe('periodic');
    expect(outboxKindOf('BootNotification', {})).toBe('other');
  });

  it('rewrites a 1.6 transaction id to the CSMS’s, and cannot send one the CSMS never accepted', () => {
    const store = openStore({ path: ':memory:', clock: new FakeClock() });
    const ids = new TxIdMap({ state: store.stationState });
    ids.set('CP', 7, 5000);
    expect(prepareProxyMessage('CP', '1.6', entry('StopTransaction', { transactionId: 7, meterStop: 1 }), 'replay', ids)).toEqual({ action: 'StopTransaction', payload: { transactionId: 5000, meterStop: 1 } });
    expect(prepareProxyMessage('CP', '1.6', entry('MeterValues', { transactionId: 8 }), 'replay', ids)).toHaveProperty('skip');
    expect(ids.hubIdOf('CP', 5000)).toBe(7);
    store.close();
  });

  it('marks replayed 2.x transaction events offline, but not live ones nor those the hub made', () => {
    const ids = new TxIdMap({ state: openStore({ path: ':memory:' }).stationState });
    const te = { seqNo: 3, eventType: 'Updated' };
    expect(prepareProxyMessage('CP', '2.0.1', entry('TransactionEvent', te), 'replay', ids)).toEqual({ action: 'TransactionEvent', payload: { ...te, offline: true } });
    expect(prepareProxyMessage('CP', '2.0.1', entry('TransactionEvent', te), 'live', ids)).toEqual({ action: 'TransactionEvent', payload: te });
    expect(prepareProxyMessage('CP', '2.0.1', entry('TransactionEvent', te, { hubMade: true }), 'replay', ids)).toEqual({ action: 'TransactionEvent', payload: te });
  });

  it('does not mark a replayed 2.x transaction event offline when it was recorded while the link was up', () => {
    const ids = new TxIdMap({ state: openStore({ path: ':memory:' }).stationState });
    const te = { seqNo: 4, eventType: 'Updated' };
    expect(prepareProxyMessage('CP', '2.0.1', entry('TransactionEvent', te, { recordedOnline: true }), 'replay', ids)).toEqual({ action: 'TransactionEvent', payload: te });
    // The station's own mark (it was offline from the hub) is kept as it sent it.
    const own = { ...te, offline: true };
    expect(prepareProxyMessage('CP', '2.0.1', entry('TransactionEvent', own, { recordedOnline: true }), 'replay', ids)).toEqual({ action: 'TransactionEvent', payload: own });
    expect(envelopeOf({ payload: te, recordedOnline: true })).toEqual({ payload: te, recordedOnline: true });
    expect(envelopeOf({ payload: te, recordedOnline: 'yes' })).toEqual({ payload: te });
  });
});

describe('CSMS calls to an offline station', () => {
  it('get Rejected where the action allows it, a GenericError otherwise', () => {
    expect(answerForOfflineStation('1.6', 'RemoteStartTransaction', 'CP')).toEqual({ status: 'Rejected' });
    expect(answerForOfflineStation('2.0.1', 'RequestStopTransaction', 'CP')).toEqual({ status: 'Rejected' });
    expect(() => answerForOfflineStation('1.6', 'GetConfiguration', 'CP')).toThrow(/offline/);
    expect(() => answerForOfflineStation('2.0.1', 'GetVariables', 'CP')).toThrow(/offline/);
  });

  it('gives a 1.6 Stop the readings kept for its transaction in transactionData, without repeating what the station put there', () => {
    const store = openStore({ path: ':memory:', clock: new FakeClock() });
    const ids = new TxIdMap({ state: store.stationState });
    const kept = new Restatements({ state: store.stationState });
    ids.set('CP', 7, 5000);
    const a = { timestamp: 'a', sampledValue: [{ value: '150' }] };
    const b = { timestamp: 'b', sampledValue: [{ value: '180' }] };
    kept.add('CP', 7, [a]);
    kept.add('CP', 7, [b]);
    kept.add('CP', 8, [{ timestamp: 'other', sampledValue: [{ value: '1' }] }]);
    expect(prepareProxyMessage('CP', '1.6', entry('StopTransaction', { transactionId: 7, meterStop: 200 }), 'replay', ids, kept)).toEqual({ action: 'StopTransaction', payload: { transactionId: 5000, meterStop: 200, transactionData: [a, b] } });
    expect(prepareProxyMessage('CP', '1.6', entry('StopTransaction', { transactionId: 7, meterStop: 200, transactionData: [b] }), 'replay', ids, kept)).toEqual({
      action: 'StopTransaction',
      payload: { transactionId: 5000, meterStop: 200, transactionData: [a, b] },
    });
    // A MeterValues never carries them; after the Stop is delivered they are forgotten.
    expect(prepareProxyMessage('CP', '1.6', entry('MeterValues', { transactionId: 7, meterValue: [] }), 'replay', ids, kept)).toEqual({ action: 'MeterValues', payload: { transactionId: 5000, meterValue: [] } });
    kept.clear('CP', 7);
    expect(prepareProxyMessage('CP', '1.6', entry('StopTransaction', { transactionId: 7, meterStop: 200 }), 'replay', ids, kept)).toEqual({ action: 'StopTransaction', payload: { transactionId: 5000, meterStop: 200 } });
    store.close();
  });
});
