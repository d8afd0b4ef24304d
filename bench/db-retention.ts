/**
 * W1-like database size with the default retention, and the time `switchyard backup` takes.
 *
 * W1's site (20 OCPP 1.6 EVSEs, 2 sessions of 3 h a day each, a 9-value meter sample every 60 s,
 * status changes, heartbeats, a reboot a week) is played for DAYS simulated days into a real
 * SQLite file through the hub's own 1.6 adapter functions and repositories (what StationService
 * stores per message), on a FakeClock, with the RetentionJob running every hour with the
 * default `data.retention`. Writes are grouped per simulated minute (the hub groups the writes
 * of one event-loop turn). Baseline in the same run: the file at day 30, before retention first
 * deletes samples, i.e. a month of growth with no retention. The bench runs SQLite with
 * synchronous=OFF (no fsync per write group: the file's size does not depend on it, the run
 * time does); the backup is timed on the final file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retentionConfigSchema } from '../src/config/data-schema.js';
import { connectorStateOf16, endedEventOf16, startedEventOf16, updatedEventOf16, type MeterValue16, type StartTransaction16, type StatusNotification16, type StopTransaction16 } from '../src/ocpp/adapters/v16.js';
import { backupDatabase } from '../src/store/backup.js';
import { RetentionJob } from '../src/store/retention-job.js';
import { openStore, type Store } from '../src/store/store.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { stationIdOf, W1_EVSES, w1Stream, type W1Event } from './w1-workload.js';

const DAY_MS = 86_400_000;
const DAYS = Number(process.env['DB_RETENTION_DAYS'] ?? 120);
/** EVSEs of W1's 20 to play (DB_RETENTION_EVSES): the figures are per station, a smaller site runs faster. */
const EVSES = Math.min(W1_EVSES, Number(process.env['DB_RETENTION_EVSES'] ?? W1_EVSES));
const START_MS = Date.UTC(2026, 0, 5);

function fileMb(store: Store, path: string): number {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(path).size / 1e6;
}

/** What StationService stores for one 1.6 call of the stream. */
function store16(store: Store, ev: Extract<W1Event, { kind: 'call' }>, txIds: Map<string, string>): void {
  const stationId = stationIdOf(ev.evse);
  const p = ev.payload;
  switch (ev.action) {
    case 'BootNotification':
      store.stations.upsertBoot({ stationId, version: '1.6', vendor: 'Acme', model: 'AC22-1', bootStatus: 'Accepted', lastBootMs: ev.atMs });
      return;
    case 'Heartbeat':
      store.stations.touch(stationId);
      return;
    case 'StatusNotification':
      store.connectors.upsert(connectorStateOf16(stationId, p as unknown as StatusNotification16, ev.atMs));
      return;
    case 'StartTransaction': {
      const id = String(store.transactions.nextLegacyTransactionId());
      txIds.set(`${ev.evse}`, id);
      store.transactions.recordEvent(startedEventOf16(stationId, id, p as unknown as StartTransaction16, ev.atMs));
      return;
    }
    case 'MeterValues': {
      const id = txIds.get(`${ev.evse}`)!;
      const seqNo = store.transactions.nextSeqNo(stationId, id);
      store.transactions.recordEvent(updatedEventOf16(stationId, id, seqNo, 1, p['meterValue'] as MeterValue16[], ev.atMs));
      return;
    }
    case 'StopTransaction': {
      const id = txIds.get(`${ev.evse}`)!;
      const seqNo = store.transactions.nextSeqNo(stationId, id);
      store.transactions.recordEvent(endedEventOf16(stationId, seqNo, 1, { ...(p as unknown as StopTransaction16), transactionId: Number(id) }, ev.atMs));
      return;
    }
    default:
      return; // Authorize: answered from the local list, nothing stored
  }
}

/** MB per table and index (SQLite's dbstat), or why not. */
function tableSizes(store: Store): string {
  try {
    const rows = store.db.prepare<[], { name: string; bytes: number }>('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8').all();
    return rows.map((r) => `${r.name} ${(r.bytes / 1e6).toFixed(1)} MB`).join(', ');
  } catch (err) {
    return `unavailable (${(err as Error).message})`;
  }
}

export const benchmark: Benchmark = {
  name: 'db-retention',
  workload: 'W1',
  title: 'SQLite size per station with the default retention, and the time of an online backup',
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-db-bench-'));
    const path = join(dir, 'switchyard.db');
    const clock = new FakeClock(START_MS);
    const store = openStore({ path, clock });
    store.db.pragma('synchronous = OFF');
    const policy = retentionConfigSchema.parse({});
    const pruner = new RetentionJob({ db: store.db, clock, log: silentLogger(), policy, intervalMs: policy.pruneIntervalS * 1000, batchRows: policy.batchRows });
    pruner.start();
    const sizes: { day: number; mb: number }[] = [];
    const txIds = new Map<string, string>();
    const wallStart = Date.now();
    try {
      for (let day = 0; day < DAYS; day++) {
        const stream = w1Stream(START_MS + day * DAY_MS, 1, day + 1);
        let i = 0;
        const events = stream.events.filter((e) => e.evse < EVSES);
        while (i < events.length) {
          const minuteEnd = Math.floor(events[i]!.atMs / 60_000) * 60_000 + 60_000;
          if (events[i]!.atMs > clock.nowMs()) clock.advanceMs(events[i]!.atMs - clock.nowMs());
          await pruner.idle();
          store.db.transaction(() => {
            for (; i < events.length && events[i]!.atMs < minuteEnd; i++) {
              const ev = events[i]!;
              if (ev.kind === 'call') store16(store, ev, txIds);
            }
          })();
        }
        clock.advanceMs(START_MS + (day + 1) * DAY_MS - clock.nowMs());
        await pruner.idle();
        if ((day + 1) % 30 === 0) {
          const mb = fileMb(store, path);
          sizes.push({ day: day + 1, mb });
          progress(`day ${day + 1}: ${mb.toFixed(1)} MB (${((Date.now() - wallStart) / 1000).toFixed(0)} s)`);
        }
      }
      await pruner.stop();
      const backupStart = process.hrtime.bigint();
      const backup = await backupDatabase(path, join(dir, 'backup.db'));
      const backupMs = Number(process.hrtime.bigint() - backupStart) / 1e6;

      const month1 = sizes.find((s) => s.day === 30)?.mb ?? NaN;
      const last = sizes.at(-1)!;
      const prev = sizes.at(-2);
      const counts = store.db.prepare<[], { samples: number; events: number; txs: number }>(
        'SELECT (SELECT COUNT(*) FROM meter_samples) AS samples, (SELECT COUNT(*) FROM transaction_events) AS events, (SELECT COUNT(*) FROM transactions) AS txs',
      ).get()!;
      return {
        rows: [
          { metric: `database per station after ${last.day} days, default retention`, value: last.mb / EVSES, unit: 'MB', baseline: { label: 'one month, no retention yet', value: month1 / EVSES }, digits: 2 },
          { metric: `database for ${EVSES} stations after ${last.day} days`, value: last.mb, unit: 'MB' },
          { metric: `projected for W1's ${W1_EVSES} stations`, value: (last.mb / EVSES) * W1_EVSES, unit: 'MB' },
          ...(prev ? [{ metric: `growth per station in the last 30 days (days ${prev.day}-${last.day})`, value: (last.mb - prev.mb) / EVSES, unit: 'MB/month', digits: 2 }] : []),
          { metric: `switchyard backup of the ${last.mb.toFixed(0)} MB file`, value: backupMs, unit: 'ms', digits: 0 },
        ],
        notes: [
          `${EVSES} of W1's ${W1_EVSES} EVSEs played for ${DAYS} days`,
          `space per table at the end: ${tableSizes(store)}`,
          `sizes at ${sizes.map((s) => `day ${s.day}: ${s.mb.toFixed(1)} MB`).join(', ')} (after a WAL checkpoint)`,
          `retention: ${JSON.stringify(policy)}`,
          `rows at the end: ${counts.txs} transactions, ${counts.events} transaction events, ${counts.samples} meter samples`,
          `backup file ${(backup.bytes / 1e6).toFixed(1)} MB; the file does not shrink when rows go (SQLite reuses the freed pages), so the size levels off once the retention windows are full`,
        ],
      };
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
