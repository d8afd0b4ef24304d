import { describe, it, expect } from 'vitest';
import { aTransactionEvent, anEnergyReading, T0_MS } from './builders.js';
import { useTempStores } from './temp-store.js';

const MIN_MS = 60_000;

describe('a transaction whose charger reports impossible register readings', () => {
  const stores = useTempStores();

  it('bills from the valid readings only: a negative register or a kWh value that overflows in Wh is left out of start, stop and energy', () => {
    const { transactions } = stores.open();
    transactions.recordEvent(aTransactionEvent({ eventType: 'Started', seqNo: 0, timeMs: T0_MS, meterValues: [anEnergyReading(T0_MS - MIN_MS, -40, { context: 'Transaction.Begin' }), anEnergyReading(T0_MS, 500, { context: 'Transaction.Begin' })] }));
    transactions.recordEvent(aTransactionEvent({ seqNo: 1, meterValues: [anEnergyReading(T0_MS + MIN_MS, 800)] }));
    transactions.recordEvent(aTransactionEvent({ seqNo: 2, meterValues: [anEnergyReading(T0_MS + 2 * MIN_MS, 1e306, { unit: 'kWh' })] }));
    transactions.recordEvent(aTransactionEvent({ eventType: 'Ended', seqNo: 3, timeMs: T0_MS + 3 * MIN_MS, meterValues: [anEnergyReading(T0_MS + 3 * MIN_MS, -1, { context: 'Transaction.End' })] }));
    const tx = transactions.get('CP-1', 'tx-1');
    expect(tx).toMatchObject({ status: 'Ended', meterStartWh: 500, meterStopWh: 800, energyWh: 300 });
    // Every event is still recorded: nothing the charger sent is lost.
    expect(transactions.events('CP-1', 'tx-1')).toHaveLength(4);
  });
});
