import { describe, expect, it } from 'vitest';
import { endedEventOf16, startedEventOf16, updatedEventOf16 } from '../../../src/ocpp/adapters/v16.js';
import { transactionEventOf2x, type TransactionEvent2x } from '../../../src/ocpp/adapters/v2x.js';
import { recogniseRetry } from '../../../src/evse/station-retries.js';
import { useTempStores } from '../store/temp-store.js';

const T0 = Date.UTC(2026, 0, 1);
const start = { connectorId: 1, idTag: 'TAG1', meterStart: 100, timestamp: new Date(T0).toISOString() };
const reading = (wh: number): { timestamp: string; sampledValue: Array<{ value: string }> } => ({ timestamp: new Date(T0 + wh * 60_000).toISOString(), sampledValue: [{ value: String(wh) }] });

describe('recognising a station retry', () => {
  const stores = useTempStores();

  it('1.6: an identical StartTransaction on the same connector is the recorded transaction; another timestamp or connector is new', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    expect(recogniseRetry(transactions, 'CP', '1.6', 'StartTransaction', { ...start })).toEqual({ action: 'StartTransaction', transactionId: 7 });
    expect(recogniseRetry(transactions, 'CP', '1.6', 'StartTransaction', { ...start, timestamp: new Date(T0 + 1000).toISOString() })).toBeUndefined();
    expect(recogniseRetry(transactions, 'CP', '1.6', 'StartTransaction', { ...start, connectorId: 2 })).toBeUndefined();
    expect(recogniseRetry(transactions, 'OTHER', '1.6', 'StartTransaction', { ...start })).toBeUndefined();
  });

  it('1.6: only the transaction recorded last on the connector counts (the retry window)', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    transactions.recordEvent(startedEventOf16('CP', '8', { ...start, timestamp: new Date(T0 + 3_600_000).toISOString() }, T0));
    expect(recogniseRetry(transactions, 'CP', '1.6', 'StartTransaction', { ...start })).toBeUndefined();
  });

  it('1.6: MeterValues and StopTransaction repeating recorded content are retries; new readings are not', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    transactions.recordEvent(updatedEventOf16('CP', '7', 1, 1, [reading(1)], T0));
    expect(recogniseRetry(transactions, 'CP', '1.6', 'MeterValues', { connectorId: 1, transactionId: 7, meterValue: [reading(1)] })).toEqual({ action: 'MeterValues', transactionId: '7' });
    expect(recogniseRetry(transactions, 'CP', '1.6', 'MeterValues', { connectorId: 1, transactionId: 7, meterValue: [reading(2)] })).toBeUndefined();
    const stop = { transactionId: 7, meterStop: 300, timestamp: new Date(T0 + 600_000).toISOString(), reason: 'Local' };
    expect(recogniseRetry(transactions, 'CP', '1.6', 'StopTransaction', stop)).toBeUndefined();
    transactions.recordEvent(endedEventOf16('CP', 2, 1, stop, T0));
    expect(recogniseRetry(transactions, 'CP', '1.6', 'StopTransaction', { ...stop })).toEqual({ action: 'StopTransaction', transactionId: '7' });
  });

  it('2.x: a TransactionEvent with a recorded transactionId + seqNo is a retry', () => {
    const { transactions } = stores.open();
    const ev: TransactionEvent2x = { eventType: 'Started', timestamp: new Date(T0).toISOString(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'TX' } };
    transactions.recordEvent(transactionEventOf2x('CP', ev, T0, 1));
    expect(recogniseRetry(transactions, 'CP', '2.0.1', 'TransactionEvent', ev)).toEqual({ action: 'TransactionEvent', transactionId: 'TX' });
    expect(recogniseRetry(transactions, 'CP', '2.0.1', 'TransactionEvent', { ...ev, seqNo: 1 })).toBeUndefined();
  });
});
