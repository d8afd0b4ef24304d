import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { endedEventOf16, startedEventOf16, updatedEventOf16 } from '../../../src/ocpp/adapters/v16.js';
import { RETRY_WINDOW_SIZE, RetryWindows } from '../../../src/store/retry-windows.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { RetentionJob } from '../../../src/store/retention-job.js';
import { retentionConfigSchema } from '../../../src/config/data-schema.js';
import { silentLogger } from '../../../src/util/logger.js';
import { useTempStores } from './temp-store.js';

const T0 = Date.UTC(2026, 0, 1);
const start = { connectorId: 1, idTag: 'TAG1', meterStart: 100, timestamp: new Date(T0).toISOString() };
/** A 1.6 meterValue array; `n` picks the reading (equal n, equal payload). */
const reading = (n: number) => [{ timestamp: new Date(T0 + n * 60_000).toISOString(), sampledValue: [{ value: String(n) }] }];

/** The answer straight from the stored rows: the highest seqNo among the last `lastN` events whose raw text is the payload's. */
function fromRows(store: Store, transactionId: string, raw: unknown, lastN: number): number | undefined {
  const row = store.db
    .prepare<[string, number, string], { seq_no: number }>(
      `SELECT seq_no FROM (SELECT seq_no, raw_json FROM transaction_events WHERE station_id = 'CP' AND transaction_id = ?
         ORDER BY seq_no DESC LIMIT ?) WHERE raw_json = ? ORDER BY seq_no DESC LIMIT 1`,
    )
    .get(transactionId, lastN, JSON.stringify(raw));
  return row?.seq_no;
}

function recordReading(store: Store, transactionId: string, n: number): void {
  const seqNo = store.transactions.nextSeqNo('CP', transactionId);
  store.transactions.recordEvent(updatedEventOf16('CP', transactionId, seqNo, 1, reading(n), T0));
}

/** A group-commit batch whose commit fails (a deferred foreign-key violation): everything in it is rolled back. */
function failedBatch(store: Store, writes: () => void): void {
  store.batch.begin();
  writes();
  store.db.pragma('defer_foreign_keys = ON');
  store.db.prepare('INSERT INTO meter_samples (event_id, mv_index, sv_index, time_ms, value, measurand) VALUES (-1, 0, 0, 0, 0, ?)').run('orphan');
  store.batch.commit();
}

describe("the retry check's memory of a transaction's last events", () => {
  const stores = useTempStores();

  it('recognises after a restart a retry of what was recorded before it (nothing in memory: the database answers)', () => {
    const clock = new FakeClock(T0);
    const path = stores.dbPath();
    const first = openStore({ path, clock });
    first.transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    for (let n = 1; n <= 5; n++) recordReading(first, '7', n);
    expect(first.transactions.findEventByRaw('CP', '7', reading(5), RETRY_WINDOW_SIZE)).toEqual({ seqNo: 5, eventType: 'Updated' });
    first.close();

    const second = stores.open({ clock });
    expect(second.transactions.findEventByRaw('CP', '7', reading(3), RETRY_WINDOW_SIZE)).toEqual({ seqNo: 3, eventType: 'Updated' });
    expect(second.transactions.findEventByRaw('CP', '7', reading(6), RETRY_WINDOW_SIZE)).toBeUndefined();
    recordReading(second, '7', 6);
    expect(second.transactions.findEventByRaw('CP', '7', reading(6), RETRY_WINDOW_SIZE)).toEqual({ seqNo: 6, eventType: 'Updated' });
    expect(second.transactions.findEventByRaw('CP', '7', start, RETRY_WINDOW_SIZE)).toEqual({ seqNo: 0, eventType: 'Started' });
  });

  it('after a batch whose commit failed, still recognises every stored event of the window (the rolled-back ones took no place in it)', () => {
    const store = stores.open({ clock: new FakeClock(T0) });
    store.transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    for (let n = 1; n < RETRY_WINDOW_SIZE; n++) recordReading(store, '7', n); // seqNo 0..15 stored: a full window
    expect(store.transactions.findEventByRaw('CP', '7', reading(1), RETRY_WINDOW_SIZE)).toEqual({ seqNo: 1, eventType: 'Updated' });
    failedBatch(store, () => {
      for (let n = 100; n < 104; n++) recordReading(store, '7', n);
      // Visible inside the batch, as any write of this connection is.
      expect(store.transactions.findEventByRaw('CP', '7', reading(103), RETRY_WINDOW_SIZE)?.seqNo).toBe(19);
    });
    expect(store.transactions.nextSeqNo('CP', '7')).toBe(RETRY_WINDOW_SIZE); // rolled back
    expect(store.transactions.findEventByRaw('CP', '7', reading(103), RETRY_WINDOW_SIZE)).toBeUndefined();
    for (let n = 1; n < RETRY_WINDOW_SIZE; n++) {
      expect(store.transactions.findEventByRaw('CP', '7', reading(n), RETRY_WINDOW_SIZE)).toEqual({ seqNo: n, eventType: 'Updated' });
    }
    expect(store.transactions.findEventByRaw('CP', '7', start, RETRY_WINDOW_SIZE)).toEqual({ seqNo: 0, eventType: 'Started' });
  });

  it('answers as the stored rows do, after any sequence of readings, repeats, restarts and failed batches', () => {
    const path = stores.dbPath();
    const op = fc.oneof(
      fc.record({ kind: fc.constant('record' as const), n: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant('check' as const), n: fc.integer({ min: 1, max: 30 }), lastN: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('restart' as const) }),
      fc.record({ kind: fc.constant('failedBatch' as const), ns: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const clock = new FakeClock(T0);
        let store = openStore({ path, clock });
        try {
          store.db.exec('DELETE FROM transactions');
          store.transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
          for (const o of ops) {
            if (o.kind === 'record') recordReading(store, '7', o.n);
            else if (o.kind === 'check') {
              expect(store.transactions.findEventByRaw('CP', '7', reading(o.n), o.lastN)?.seqNo).toBe(fromRows(store, '7', reading(o.n), o.lastN));
            } else if (o.kind === 'restart') {
              store.close();
              store = openStore({ path, clock });
            } else {
              failedBatch(store, () => {
                for (const n of o.ns) {
                  recordReading(store, '7', n);
                  store.transactions.findEventByRaw('CP', '7', reading(n), RETRY_WINDOW_SIZE);
                }
              });
            }
          }
          for (let n = 1; n <= 30; n++) {
            expect(store.transactions.findEventByRaw('CP', '7', reading(n), RETRY_WINDOW_SIZE)?.seqNo).toBe(fromRows(store, '7', reading(n), RETRY_WINDOW_SIZE));
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps no window for an ended transaction, and a retried StopTransaction is still recognised from the database', () => {
    const store = stores.open({ clock: new FakeClock(T0) });
    store.transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    recordReading(store, '7', 1);
    store.transactions.findEventByRaw('CP', '7', reading(1), RETRY_WINDOW_SIZE);
    const stop = { transactionId: 7, meterStop: 300, timestamp: new Date(T0 + 600_000).toISOString(), reason: 'Local' };
    store.transactions.recordEvent(endedEventOf16('CP', 2, 1, stop, T0));
    expect(store.transactions.findEventByRaw('CP', '7', { ...stop }, RETRY_WINDOW_SIZE)).toEqual({ seqNo: 2, eventType: 'Ended' });
    expect(store.transactions.findEventByRaw('CP', '7', reading(1), RETRY_WINDOW_SIZE)).toEqual({ seqNo: 1, eventType: 'Updated' });
  });

  it('retention tells when it deleted transaction events, and only then', async () => {
    const clock = new FakeClock(T0);
    const store = stores.open({ clock });
    let told = 0;
    const policy = retentionConfigSchema.parse({});
    const job = new RetentionJob({ db: store.db, clock, log: silentLogger(), policy, intervalMs: 3_600_000, batchRows: 10, yieldToEventLoop: () => Promise.resolve(), onEventsDeleted: () => void told++ });
    await job.runOnce();
    expect(told).toBe(0);
    store.transactions.recordEvent(startedEventOf16('CP', '7', start, T0));
    recordReading(store, '7', 1);
    const stop = { transactionId: 7, meterStop: 300, timestamp: new Date(T0 + 600_000).toISOString(), reason: 'Local' };
    store.transactions.recordEvent(endedEventOf16('CP', 2, 1, stop, T0));
    clock.advanceMs(400 * 86_400_000);
    const result = await job.runOnce();
    expect(result.transactionEvents + result.transactions).toBeGreaterThan(0);
    expect(told).toBeGreaterThan(0);
  });
});

describe('a window of recent events', () => {
  it('keeps the highest seqNos, whatever order the events are recorded in', () => {
    const w = new RetryWindows();
    w.put('CP', '7', []);
    const seqNos = [3, 1, 20, 2, 19, 4, 5, 30, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 16];
    for (const seqNo of seqNos) w.recorded('CP', '7', { seqNo, eventType: 'Updated', fingerprint: seqNo });
    const expected = [...seqNos].sort((a, b) => a - b).slice(-RETRY_WINDOW_SIZE);
    expect(w.get('CP', '7')?.map((e) => e.seqNo)).toEqual(expected);
  });

  it('forgets the least recently used transaction beyond its limit', () => {
    const w = new RetryWindows(2);
    w.put('CP', 'a', []);
    w.put('CP', 'b', []);
    w.get('CP', 'a');
    w.put('CP', 'c', []);
    expect(w.get('CP', 'b')).toBeUndefined();
    expect(w.get('CP', 'a')).toEqual([]);
    expect(w.size).toBe(2);
  });
});
