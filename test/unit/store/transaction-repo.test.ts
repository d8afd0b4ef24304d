import { describe, it, expect } from 'vitest';
import type { TransactionRepo } from '../../../src/store/transaction-repo.js';
import { aTransactionEvent, anEnergyReading, T0_MS } from './builders.js';
import { useTempStores } from './temp-store.js';

const MIN_MS = 60_000;

/** Started at 1000 Wh, Updated at 1500 Wh, Ended at 2200 Wh. */
function recordFullSession(transactions: TransactionRepo): void {
  transactions.recordEvent(
    aTransactionEvent({
      eventType: 'Started',
      seqNo: 0,
      timeMs: T0_MS,
      triggerReason: 'Authorized',
      idToken: 'TAG-1',
      meterValues: [anEnergyReading(T0_MS, 1_000, { context: 'Transaction.Begin' })],
    }),
  );
  transactions.recordEvent(
    aTransactionEvent({ seqNo: 1, timeMs: T0_MS + 15 * MIN_MS, meterValues: [anEnergyReading(T0_MS + 15 * MIN_MS, 1_500)] }),
  );
  transactions.recordEvent(
    aTransactionEvent({
      eventType: 'Ended',
      seqNo: 2,
      timeMs: T0_MS + 30 * MIN_MS,
      triggerReason: 'EVCommunicationLost',
      stoppedReason: 'EVDisconnected',
      meterValues: [anEnergyReading(T0_MS + 30 * MIN_MS, 2.2, { context: 'Transaction.End', unit: 'kWh' })],
    }),
  );
}

describe('TransactionRepo', () => {
  const stores = useTempStores();

  it('a Started event creates an active summary', () => {
    const { transactions } = stores.open();
    const { duplicate, summary } = transactions.recordEvent(
      aTransactionEvent({ eventType: 'Started', seqNo: 0, timeMs: T0_MS, idToken: 'TAG-1', evseId: 2, connectorId: 1 }),
    );
    expect({ duplicate, summary }).toEqual({
      duplicate: false,
      summary: {
        stationId: 'CP-1',
        transactionId: 'tx-1',
        evseId: 2,
        connectorId: 1,
        idToken: 'TAG-1',
        startedMs: T0_MS,
        endedMs: undefined,
        meterStartWh: undefined,
        meterStopWh: undefined,
        energyWh: undefined,
        stoppedReason: undefined,
        lastSeqNo: 0,
        status: 'Active',
      },
    });
  });

  it('progress() gives the EVSE and highest seqNo of the summary without reading it, and nothing for an unknown transaction', () => {
    const { transactions } = stores.open();
    expect(transactions.progress('CP-1', 'tx-1')).toBeUndefined();
    transactions.recordEvent(aTransactionEvent({ eventType: 'Started', seqNo: 0, timeMs: T0_MS, evseId: 2, connectorId: 1 }));
    transactions.recordEvent(aTransactionEvent({ seqNo: 3, timeMs: T0_MS + MIN_MS }));
    transactions.recordEvent(aTransactionEvent({ seqNo: 1, timeMs: T0_MS + MIN_MS }));
    const summary = transactions.get('CP-1', 'tx-1');
    expect(transactions.progress('CP-1', 'tx-1')).toEqual({ evseId: summary?.evseId, lastSeqNo: summary?.lastSeqNo });
    expect(transactions.progress('CP-1', 'tx-1')).toEqual({ evseId: 2, lastSeqNo: 3 });
  });

  it('a Started, Updated, Ended session closes with its meter readings and energy', () => {
    const { transactions } = stores.open();
    recordFullSession(transactions);
    expect(transactions.get('CP-1', 'tx-1')).toMatchObject({
      status: 'Ended',
      endedMs: T0_MS + 30 * MIN_MS,
      stoppedReason: 'EVDisconnected',
      meterStartWh: 1_000,
      meterStopWh: 2_200,
      energyWh: 1_200,
      lastSeqNo: 2,
    });
  });

  it('an active transaction reports the energy so far but no meter stop', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ eventType: 'Started', seqNo: 0, timeMs: T0_MS, meterValues: [anEnergyReading(T0_MS, 500)] }));
    transactions.recordEvent(aTransactionEvent({ seqNo: 1, meterValues: [anEnergyReading(T0_MS + MIN_MS, 800)] }));
    expect(transactions.get('CP-1', 'tx-1')).toMatchObject({ meterStartWh: 500, energyWh: 300, meterStopWh: undefined });
  });

  it('reads a sampled value without a measurand as the energy register', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(
      aTransactionEvent({ eventType: 'Started', seqNo: 0, meterValues: [{ timeMs: T0_MS, sampledValues: [{ value: 7_000 }] }] }),
    );
    expect(transactions.get('CP-1', 'tx-1')?.meterStartWh).toBe(7_000);
  });

  it('ignores per-phase register values and other measurands for energy', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(
      aTransactionEvent({
        eventType: 'Started',
        seqNo: 0,
        meterValues: [
          {
            timeMs: T0_MS,
            sampledValues: [
              { value: 10, measurand: 'Energy.Active.Import.Register', phase: 'L1' },
              { value: 3_680, measurand: 'Power.Active.Import', unit: 'W' },
              { value: 900, measurand: 'Energy.Active.Import.Register' },
            ],
          },
        ],
      }),
    );
    expect(transactions.get('CP-1', 'tx-1')?.meterStartWh).toBe(900);
  });

  it('records an event whose sampled value is not a number, without that sample', () => {
    const { transactions } = stores.open();
    const { duplicate } = transactions.recordEvent(
      aTransactionEvent({ seqNo: 0, meterValues: [{ timeMs: T0_MS, sampledValues: [{ value: Number.NaN }, { value: 42 }] }] }),
    );
    expect({ duplicate, values: transactions.samples('CP-1', 'tx-1').map((s) => s.value) }).toEqual({ duplicate: false, values: [42] });
  });

  it('ignores a repeated seqNo and reports it as a duplicate', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ eventType: 'Started', seqNo: 0 }));
    const again = transactions.recordEvent(
      aTransactionEvent({ eventType: 'Started', seqNo: 0, meterValues: [anEnergyReading(T0_MS, 5)] }),
    );
    expect(again.duplicate).toBe(true);
    expect(transactions.events('CP-1', 'tx-1')).toHaveLength(1);
    expect(transactions.samples('CP-1', 'tx-1')).toEqual([]);
  });

  it('the same seqNo in another transaction is not a duplicate', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ transactionId: 'tx-1', seqNo: 0 }));
    expect(transactions.recordEvent(aTransactionEvent({ transactionId: 'tx-2', seqNo: 0 })).duplicate).toBe(false);
  });

  it('an Updated event arriving after Ended does not reopen the transaction', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ eventType: 'Started', seqNo: 0, timeMs: T0_MS }));
    transactions.recordEvent(aTransactionEvent({ eventType: 'Ended', seqNo: 2, timeMs: T0_MS + 2 * MIN_MS }));
    const { summary } = transactions.recordEvent(aTransactionEvent({ seqNo: 1, timeMs: T0_MS + MIN_MS }));
    expect(summary).toMatchObject({ status: 'Ended', endedMs: T0_MS + 2 * MIN_MS, lastSeqNo: 2 });
  });

  it('an event for an unknown transaction creates its summary from that event', () => {
    const { transactions } = stores.open();
    const { summary } = transactions.recordEvent(aTransactionEvent({ seqNo: 5, timeMs: T0_MS, evseId: 3 }));
    expect(summary).toMatchObject({ status: 'Active', startedMs: T0_MS, evseId: 3, lastSeqNo: 5 });
  });

  it('returns the events in seqNo order with their meter values', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ seqNo: 2, raw: { note: 'later' } }));
    transactions.recordEvent(
      aTransactionEvent({
        eventType: 'Started',
        seqNo: 0,
        offline: true,
        meterValues: [anEnergyReading(T0_MS, 1), anEnergyReading(T0_MS + 1, 2)],
      }),
    );
    const events = transactions.events('CP-1', 'tx-1');
    expect(events.map((e) => e.seqNo)).toEqual([0, 2]);
    expect(events[0]).toMatchObject({ offline: true, meterValues: [anEnergyReading(T0_MS, 1), anEnergyReading(T0_MS + 1, 2)] });
    expect(events[1]?.raw).toEqual({ note: 'later' });
  });

  it('returns samples of one measurand in time order with their seqNo', () => {
    const { transactions } = stores.open();
    recordFullSession(transactions);
    const samples = transactions.samples('CP-1', 'tx-1', { measurand: 'Energy.Active.Import.Register' });
    expect(samples.map((s) => [s.seqNo, s.value, s.unit])).toEqual([[0, 1_000, 'Wh'], [1, 1_500, 'Wh'], [2, 2.2, 'kWh']]);
  });

  it('the next seqNo follows the highest stored one', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ seqNo: 0 }));
    transactions.recordEvent(aTransactionEvent({ seqNo: 4 }));
    expect(transactions.nextSeqNo('CP-1', 'tx-1')).toBe(5);
  });

  it('the next seqNo of an unknown transaction is 0', () => {
    const { transactions } = stores.open();
    expect(transactions.nextSeqNo('CP-1', 'nope')).toBe(0);
  });

  it('finds the active transactions of a station, optionally on one EVSE', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ transactionId: 'a', eventType: 'Started', seqNo: 0, evseId: 1 }));
    transactions.recordEvent(aTransactionEvent({ transactionId: 'b', eventType: 'Started', seqNo: 0, evseId: 2 }));
    transactions.recordEvent(aTransactionEvent({ transactionId: 'c', eventType: 'Ended', seqNo: 0, evseId: 2 }));
    transactions.recordEvent(aTransactionEvent({ transactionId: 'd', stationId: 'CP-2', eventType: 'Started', seqNo: 0 }));
    expect(transactions.findActive('CP-1').map((t) => t.transactionId)).toEqual(['a', 'b']);
    expect(transactions.findActive('CP-1', 2).map((t) => t.transactionId)).toEqual(['b']);
  });

  it('lists summaries most recent first, filtered and limited', () => {
    const { transactions } = stores.open();
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      transactions.recordEvent(aTransactionEvent({ transactionId: id, eventType: 'Started', seqNo: 0, timeMs: T0_MS + i * MIN_MS }));
    }
    transactions.recordEvent(aTransactionEvent({ transactionId: 'c', eventType: 'Ended', seqNo: 1, timeMs: T0_MS + 5 * MIN_MS }));
    expect(transactions.list({ limit: 2 }).map((t) => t.transactionId)).toEqual(['c', 'b']);
    expect(transactions.list({ status: 'Active', limit: 10 }).map((t) => t.transactionId)).toEqual(['b', 'a']);
    expect(transactions.list({ stationId: 'CP-2', limit: 10 })).toEqual([]);
  });

  it('hands out legacy transaction ids 1, 2, 3 and continues after a reopen', () => {
    const first = stores.open();
    const before = [first.transactions.nextLegacyTransactionId(), first.transactions.nextLegacyTransactionId()];
    first.close();
    const after = stores.open().transactions.nextLegacyTransactionId();
    expect([...before, after]).toEqual([1, 2, 3]);
  });

  it('keeps events and summaries across close and reopen', () => {
    const first = stores.open();
    recordFullSession(first.transactions);
    first.close();
    const reopened = stores.open().transactions;
    expect({ summary: reopened.get('CP-1', 'tx-1')?.energyWh, events: reopened.events('CP-1', 'tx-1').length }).toEqual({
      summary: 1_200,
      events: 3,
    });
  });
});
