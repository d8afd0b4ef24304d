import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { migrate } from '../../../src/store/migrations.js';
import { MIGRATIONS } from '../../../src/store/schema-steps.js';
import { openStore } from '../../../src/store/store.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { MeterValue, SampledValue } from '../../../src/model/types.js';
import { aTransactionEvent, anEnergyReading, T0_MS } from './builders.js';
import { useTempStores } from './temp-store.js';

/** W1's samplers: energy register, power, current and voltage per phase, SoC. */
function aFullMeterValue(timeMs: number, registerWh: number): MeterValue {
  const sv = (value: number, measurand: string, unit: string, phase?: string): SampledValue => ({ value, measurand, unit, context: 'Sample.Periodic', ...(phase ? { phase } : {}) });
  return {
    timeMs,
    sampledValues: [
      sv(registerWh, 'Energy.Active.Import.Register', 'Wh'),
      sv(11_040, 'Power.Active.Import', 'W'),
      ...['L1', 'L2', 'L3'].map((p) => sv(16, 'Current.Import', 'A', p)),
      ...['L1-N', 'L2-N', 'L3-N'].map((p) => sv(230, 'Voltage', 'V', p)),
      sv(57, 'SoC', 'Percent'),
    ],
  };
}

describe('what a meter message stores', () => {
  const stores = useTempStores();

  it('keeps the energy reading as a row and the other sampled values only in the raw payload', () => {
    const store = stores.open();
    const raw = { meterValue: [{ timestamp: 'as sent', sampledValue: ['nine values'] }] };
    store.transactions.recordEvent(aTransactionEvent({ seqNo: 1, meterValues: [aFullMeterValue(T0_MS, 1_500)], raw }));
    const rows = store.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM meter_samples').get()?.n;
    const [event] = store.transactions.events('CP-1', 'tx-1');
    expect({
      rows,
      measurands: store.transactions.samples('CP-1', 'tx-1').map((s) => s.measurand),
      raw: event?.raw,
      meterValues: event?.meterValues,
    }).toEqual({
      rows: 1,
      measurands: ['Energy.Active.Import.Register'],
      raw,
      meterValues: [{ timeMs: T0_MS, sampledValues: [{ value: 1_500, measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic', phase: undefined, location: undefined }] }],
    });
  });

  it('keeps every energy measurand as a row (export and reactive registers are billing data too)', () => {
    const store = stores.open();
    const mv: MeterValue = {
      timeMs: T0_MS,
      sampledValues: [
        { value: 10, measurand: 'Energy.Active.Export.Register', unit: 'Wh' },
        { value: 20, measurand: 'Energy.Reactive.Import.Register', unit: 'varh' },
        { value: 30, measurand: 'Power.Offered', unit: 'W' },
      ],
    };
    store.transactions.recordEvent(aTransactionEvent({ seqNo: 1, meterValues: [mv], raw: { any: 'payload' } }));
    expect(store.transactions.samples('CP-1', 'tx-1').map((s) => [s.measurand, s.value])).toEqual([
      ['Energy.Active.Export.Register', 10],
      ['Energy.Reactive.Import.Register', 20],
    ]);
  });

  it('keeps every sampled value as a row when the event has no raw payload to hold them', () => {
    const store = stores.open();
    store.transactions.recordEvent(aTransactionEvent({ seqNo: 1, meterValues: [aFullMeterValue(T0_MS, 1_500)] }));
    expect(store.transactions.samples('CP-1', 'tx-1')).toHaveLength(9);
    expect(store.transactions.events('CP-1', 'tx-1')[0]?.meterValues).toEqual([
      { timeMs: T0_MS, sampledValues: aFullMeterValue(T0_MS, 1_500).sampledValues.map((s) => ({ location: undefined, phase: undefined, ...s })) },
    ]);
  });

  it('adds one event row and one sample row per meter message, however many samplers it carries', () => {
    const store = stores.open();
    const count = () => store.db.prepare<[], { n: number }>('SELECT (SELECT COUNT(*) FROM transaction_events) + (SELECT COUNT(*) FROM meter_samples) AS n').get()?.n ?? 0;
    store.transactions.recordEvent(aTransactionEvent({ eventType: 'Started', seqNo: 0, meterValues: [anEnergyReading(T0_MS, 1_000, { context: 'Transaction.Begin' })], raw: {} }));
    const before = count();
    for (let i = 1; i <= 10; i++) store.transactions.recordEvent(aTransactionEvent({ seqNo: i, meterValues: [aFullMeterValue(T0_MS + i * 60_000, 1_000 + i * 184)], raw: { i } }));
    expect({ rowsPerMessage: (count() - before) / 10, energyWh: store.transactions.get('CP-1', 'tx-1')?.energyWh }).toEqual({ rowsPerMessage: 2, energyWh: 1_840 });
  });
});

interface Reading {
  seqNo: number;
  timeMs: number;
  value: number;
  context: 'Transaction.Begin' | 'Sample.Periodic' | 'Transaction.End';
  unit: 'Wh' | 'kWh';
}

/** The rule as the summary documents it, computed from all readings at once. */
function expectedEnergy(readings: Reading[]): { startWh?: number; lastWh?: number } {
  const wh = (r: Reading) => (r.unit === 'kWh' ? r.value * 1000 : r.value);
  const indexed = readings.map((r, order) => ({ r, order }));
  const first = [...indexed].sort((a, b) => a.r.timeMs - b.r.timeMs || rank(a.r, 'Transaction.Begin') - rank(b.r, 'Transaction.Begin') || a.order - b.order)[0];
  const last = [...indexed].sort((a, b) => b.r.timeMs - a.r.timeMs || rank(a.r, 'Transaction.End') - rank(b.r, 'Transaction.End') || b.order - a.order)[0];
  return { startWh: first && wh(first.r), lastWh: last && wh(last.r) };
}

function rank(r: Reading, wins: string): number {
  return r.context === wins ? 0 : 1;
}

describe('the summary kept as events arrive', () => {
  const stores = useTempStores();

  it('meterStart, energy and meterStop follow the first and last register readings, whatever the order of arrival (property)', () => {
    const reading = fc.record({
      seqNo: fc.integer({ min: 0, max: 12 }),
      timeMs: fc.integer({ min: 0, max: 6 }).map((m) => T0_MS + m * 60_000),
      value: fc.integer({ min: 0, max: 100_000 }),
      context: fc.constantFrom('Transaction.Begin' as const, 'Sample.Periodic' as const, 'Transaction.End' as const),
      unit: fc.constantFrom('Wh' as const, 'kWh' as const),
    });
    let run = 0;
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 12 }), fc.boolean(), (readings, endLast) => {
        const store = stores.open();
        const txId = `tx-${run++}`;
        const recorded: Reading[] = [];
        readings.forEach((r, i) => {
          const ended = endLast && i === readings.length - 1;
          const mv: MeterValue = { timeMs: r.timeMs, sampledValues: [{ value: r.value, measurand: 'Energy.Active.Import.Register', unit: r.unit, context: r.context }, { value: 7, measurand: 'Power.Active.Import', unit: 'W' }] };
          const { duplicate } = store.transactions.recordEvent(aTransactionEvent({ transactionId: txId, seqNo: ended ? 99 : r.seqNo, eventType: ended ? 'Ended' : 'Updated', timeMs: r.timeMs, meterValues: [mv], raw: { i } }));
          if (!duplicate) recorded.push(r);
        });
        const { startWh, lastWh } = expectedEnergy(recorded);
        const summary = store.transactions.get('CP-1', txId);
        expect({ start: summary?.meterStartWh, energy: summary?.energyWh, stop: summary?.meterStopWh }).toEqual({
          start: startWh,
          energy: startWh !== undefined && lastWh !== undefined ? lastWh - startWh : undefined,
          stop: endLast ? lastWh : undefined,
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('upgrading a database with meter samples of the earlier layout', () => {
  const stores = useTempStores();

  it('keeps every sample row and continues the summary from the readings stored before', () => {
    const clock = new FakeClock();
    const file = stores.dbPath();
    const db = new Database(file);
    migrate(db, { clock, migrations: MIGRATIONS.slice(0, 5) });
    db.exec(`INSERT INTO transactions (station_id, transaction_id, evse_id, connector_id, started_ms, meter_start_wh, energy_wh, last_seq_no, status)
             VALUES ('CP-1', 'old', 1, 1, ${T0_MS}, 1000, 500, 1, 'Active')`);
    const ev = db.prepare("INSERT INTO transaction_events (station_id, transaction_id, seq_no, event_type, time_ms, trigger_reason, raw_json) VALUES ('CP-1', 'old', ?, ?, ?, 'x', '{}')");
    const e0 = ev.run(0, 'Started', T0_MS).lastInsertRowid;
    const e1 = ev.run(1, 'Updated', T0_MS + 60_000).lastInsertRowid;
    const sample = db.prepare("INSERT INTO meter_samples (event_id, station_id, transaction_id, mv_index, time_ms, value, measurand, context, unit) VALUES (?, 'CP-1', 'old', 0, ?, ?, ?, ?, ?)");
    sample.run(e0, T0_MS, 1000, 'Energy.Active.Import.Register', 'Transaction.Begin', 'Wh');
    sample.run(e1, T0_MS + 60_000, 1.5, 'Energy.Active.Import.Register', 'Sample.Periodic', 'kWh');
    sample.run(e1, T0_MS + 60_000, 11_000, 'Power.Active.Import', 'Sample.Periodic', 'W');
    db.close();

    const store = openStore({ path: file, clock });
    try {
      expect(store.transactions.samples('CP-1', 'old').map((s) => [s.seqNo, s.measurand, s.value])).toEqual([
        [0, 'Energy.Active.Import.Register', 1000],
        [1, 'Energy.Active.Import.Register', 1.5],
        [1, 'Power.Active.Import', 11_000],
      ]);
      // An earlier reading than the stored last one changes nothing; a later one moves the energy on.
      store.transactions.recordEvent(aTransactionEvent({ transactionId: 'old', seqNo: 2, meterValues: [anEnergyReading(T0_MS + 30_000, 1_200)], raw: {} }));
      expect(store.transactions.get('CP-1', 'old')).toMatchObject({ meterStartWh: 1000, energyWh: 500 });
      store.transactions.recordEvent(aTransactionEvent({ transactionId: 'old', eventType: 'Ended', seqNo: 3, meterValues: [anEnergyReading(T0_MS + 120_000, 1_800, { context: 'Transaction.End' })], raw: {} }));
      expect(store.transactions.get('CP-1', 'old')).toMatchObject({ meterStartWh: 1000, energyWh: 800, meterStopWh: 1800, status: 'Ended' });
    } finally {
      store.close();
    }
  });
});
