/**
 * The power history's cost for a W1-sized site (20 EVSEs): database size once retention levels it
 * off, the time of the once-a-minute write, and of the reads behind the dashboard and the
 * sessions list.
 *
 * A PowerSampler on a FakeClock samples site power (4 series) and 20 EVSEs every 5 s for DAYS
 * simulated days into a real SQLite file (synchronous=OFF, as in db-retention: size does not
 * depend on it), with the RetentionJob run every simulated hour with the default retention
 * (15-minute buckets 30 days, minute buckets 2 days). W1's sessions (2 a day per EVSE, 3 h) are
 * written as ended transactions. Baselines in the same run: the size after 2 days (when the minute
 * buckets are full); the 1 h history read; the sessions read of one day.
 *
 * Options (environment): POWER_HISTORY_DAYS (default 35, fractions allowed), POWER_HISTORY_EVSES
 * (default 20), POWER_HISTORY_WRITE_ONLY=1 (report the minute's write only), POWER_HISTORY_CHUNK_ROWS
 * (series per event-loop turn of the write; default the sampler's).
 *
 * The minute's write is reported twice: the whole minute (all its chunks) and the longest single
 * chunk, i.e. the longest event-loop turn the write takes (what delays a station's message).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { retentionConfigSchema } from '../src/config/data-schema.js';
import { RetentionJob } from '../src/store/retention-job.js';
import { openStore, type Store } from '../src/store/store.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import { PowerSampler } from '../src/history/power-sampler.js';
import { HistoryService } from '../src/history/history-service.js';
import { PowerHistoryRepo } from '../src/store/power-history-repo.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { percentile } from './stats.js';

const DAY_MS = 86_400_000;
const DAYS = Number(process.env['POWER_HISTORY_DAYS'] ?? 35);
const EVSES = Number(process.env['POWER_HISTORY_EVSES'] ?? 20);
/** POWER_HISTORY_WRITE_ONLY=1: only the minute's write (for large EVSE counts, where the reads take long). */
const WRITE_ONLY = process.env['POWER_HISTORY_WRITE_ONLY'] === '1';
const CHUNK_ROWS = process.env['POWER_HISTORY_CHUNK_ROWS'] ? Number(process.env['POWER_HISTORY_CHUNK_ROWS']) : undefined;
const START_MS = Date.UTC(2026, 0, 5);

function historyBytes(store: Store): number {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const row = store.db.prepare<[], { bytes: number | null }>("SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name LIKE 'power_history%'").get();
  return row?.bytes ?? 0;
}

function timeMs(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

export const benchmark: Benchmark = {
  name: 'power-history',
  workload: 'W1',
  title: 'power history of 20 EVSEs: size with retention, write per minute, dashboard and sessions reads',
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-history-'));
    const clock = new FakeClock(START_MS);
    const store = openStore({ path: join(dir, 'switchyard.db'), clock });
    store.db.pragma('synchronous = OFF');
    try {
      /** Per chunk (one event-loop turn each), and per minute (the sum of its chunks). */
      const turnTimes: number[] = [];
      const minuteTimes = new Map<number, number>();
      // The repository without the store's group commit: each chunk commits on its own, so the
      // time measured includes its COMMIT (the hub's chunks join the turn's batch and commit at
      // its end, where a timer around the write would not see it).
      const history = new PowerHistoryRepo({ db: store.db });
      const sink = {
        writeBucket: (startMs: number, rows: Parameters<Store['powerHistory']['writeBucket']>[1]) => {
          const t0 = performance.now();
          history.writeBucket(startMs, rows);
          const ms = performance.now() - t0;
          turnTimes.push(ms);
          minuteTimes.set(startMs, (minuteTimes.get(startMs) ?? 0) + ms);
        },
      };
      let n = 0;
      const sampler = new PowerSampler({
        clock,
        log: silentLogger(),
        sink,
        ...(CHUNK_ROWS !== undefined ? { chunkRows: CHUNK_ROWS } : {}),
        read: () => {
          n += 1;
          return {
            gridW: 6000 + (n % 97) * 30,
            pvW: (n % 1000) * 5,
            evW: 40_000 + (n % 13) * 100,
            limitW: 276_000,
            evses: Array.from({ length: EVSES }, (_, i) => ({ evseKey: `W1-${i + 1}/1`, powerW: ((n + i) % 7) * 1500 })),
          };
        },
      });
      const policy = retentionConfigSchema.parse({});
      const retention = new RetentionJob({ db: store.db, clock, log: silentLogger(), policy, intervalMs: 3_600_000, batchRows: policy.batchRows, yieldToEventLoop: () => Promise.resolve() });
      const insertTx = store.db.prepare(
        `INSERT INTO transactions (station_id, transaction_id, evse_id, connector_id, id_token, started_ms, ended_ms, meter_start_wh, meter_stop_wh, energy_wh, last_seq_no, status)
         VALUES (?, ?, 1, 1, 'TAG', ?, ?, 0, 20000, 20000, 3, 'Ended')`,
      );
      sampler.start();
      let day2Bytes = 0;
      for (let hour = 1; hour <= DAYS * 24; hour++) {
        // Minute by minute, letting each minute's chunks be written on their own turns.
        for (let m = 0; m < 60; m++) {
          clock.advanceMs(60_000);
          await sampler.written();
        }
        await retention.runOnce();
        const dayStart = START_MS + Math.floor((hour - 1) / 24) * DAY_MS;
        if (hour % 24 === 0) {
          for (let e = 0; e < EVSES; e++) {
            for (const startH of [8, 18]) insertTx.run(`W1-${e + 1}`, `${hour}-${e}-${startH}`, dayStart + startH * 3_600_000, dayStart + (startH + 3) * 3_600_000);
          }
          if (hour / 24 === 2) day2Bytes = historyBytes(store);
          if ((hour / 24) % 5 === 0) progress(`day ${hour / 24}: power history ${(historyBytes(store) / 1e6).toFixed(2)} MB`);
        }
      }
      const finalBytes = historyBytes(store);
      const writeTimes = [...minuteTimes.values()];
      const writeRows = [
        { metric: `write of one minute bucket (${EVSES + 4} series + 15-min roll-up), all chunks, p50`, value: percentile(writeTimes, 50), unit: 'ms', digits: 3 },
        { metric: 'write of one minute bucket, all chunks, p99', value: percentile(writeTimes, 99), unit: 'ms', digits: 3 },
        { metric: 'write of one minute bucket, all chunks, max', value: writeTimes.reduce((a, b) => Math.max(a, b), 0), unit: 'ms', digits: 3 },
        { metric: 'event-loop turn of the write (one chunk), p50', value: percentile(turnTimes, 50), unit: 'ms', digits: 3 },
        { metric: 'event-loop turn of the write (one chunk), p99', value: percentile(turnTimes, 99), unit: 'ms', digits: 3 },
        { metric: 'event-loop turn of the write (one chunk), max: the longest', value: turnTimes.reduce((a, b) => Math.max(a, b), 0), unit: 'ms', digits: 3 },
      ];
      const writeNote = `${writeTimes.length} minutes written in ${turnTimes.length} chunks (turns), ${EVSES} EVSEs`;
      if (WRITE_ONLY) {
        sampler.stop();
        return { rows: writeRows, notes: [writeNote] };
      }
      const counts = store.db.prepare<[], { r: number; n: number }>('SELECT resolution_s AS r, COUNT(*) AS n FROM power_history GROUP BY resolution_s').all();

      const service = new HistoryService({ clock, powerHistory: store.powerHistory, sessions: store.sessions, pending: () => sampler.pending() });
      const read = (range: '1h' | '24h' | '7d', series = 'all') => () => {
        const w = service.historyWindow({ range, series });
        if (!w.ok) throw new Error(w.reason);
        return service.history(w);
      };
      const h1 = timeMs(read('1h'), 50);
      const h24 = timeMs(read('24h'), 20);
      const d7 = timeMs(read('7d'), 20);
      const h24site = timeMs(read('24h', 'site'), 20);
      const sessions = (days: number) => () => {
        const w = service.sessionsWindow({ from: String(clock.nowMs() - days * DAY_MS) });
        if (!w.ok) throw new Error(w.reason);
        return service.sessions(w, 10_000);
      };
      const weekCount = sessions(7)().length;
      const s1 = timeMs(sessions(1), 20);
      const s7 = timeMs(sessions(7), 20);
      sampler.stop();
      const perEvseMb = finalBytes / 1e6 / EVSES;
      return {
        rows: [
          { metric: `power history per EVSE after ${DAYS} days, default retention (site series shared out)`, value: perEvseMb, unit: 'MB', baseline: { label: 'after 2 days', value: day2Bytes / 1e6 / EVSES }, digits: 3 },
          { metric: `power history, whole site of ${EVSES} EVSEs`, value: finalBytes / 1e6, unit: 'MB', digits: 2 },
          ...writeRows,
          { metric: 'GET /api/history?range=24h read (720 steps)', value: h24, unit: 'ms', baseline: { label: 'range=1h', value: h1 }, digits: 2 },
          { metric: 'GET /api/history?range=24h&series=site read (the dashboard chart)', value: h24site, unit: 'ms', baseline: { label: 'range=24h, all series', value: h24 }, digits: 2 },
          { metric: 'GET /api/history?range=7d read (672 steps, 15-min buckets)', value: d7, unit: 'ms', baseline: { label: 'range=1h', value: h1 }, digits: 2 },
          { metric: `sessions of 7 days (${weekCount}) with their peak power`, value: s7, unit: 'ms', baseline: { label: 'sessions of 1 day', value: s1 }, digits: 2 },
        ],
        notes: [
          writeNote,
          `rows at the end: ${counts.map((c) => `${c.n} at ${c.r} s`).join(', ')}`,
          'sizes are SQLite pages of the table and its index (dbstat) after a WAL checkpoint; reads are p50 of repeated runs',
        ],
      };
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
