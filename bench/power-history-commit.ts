/**
 * The power history's minute at N EVSEs, written as the hub writes it (through the store: each
 * chunk joins the turn's group-commit batch and commits at the turn's end, without a sync of its
 * own) against the baseline of each chunk in its own transaction with the store's
 * synchronous=FULL (a sync of the log on the event loop per chunk, the path before). Both on a
 * real SQLite file in TMPDIR, with the sampler's chunks of 250 series on turns of their own.
 *
 * Reported per minute: the event loop's time for the whole minute (every chunk's turn, the end of
 * turn commit included), and the longest single turn. The syncs themselves are not visible from
 * JavaScript (SQLite makes them); count them from outside, e.g.
 * `strace -f -c -e trace=fsync,fdatasync npm run bench -- power-history-commit`.
 *
 * Options: POWER_HISTORY_EVSES (default 5,000), POWER_HISTORY_MINUTES (default 10 per path),
 * POWER_HISTORY_COMMIT_ONLY=hub|own (one path only, for counting its syncs from outside).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CHUNK_ROWS } from '../src/history/bucket-write-queue.js';
import { PowerHistoryRepo, type PowerBucketRow } from '../src/store/power-history-repo.js';
import { openStore, type Store } from '../src/store/store.js';
import { FakeClock } from '../src/util/fake-clock.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { percentile } from './stats.js';

const EVSES = Number(process.env['POWER_HISTORY_EVSES'] ?? 5000);
const MINUTES = Number(process.env['POWER_HISTORY_MINUTES'] ?? 10);
const START_MS = Date.UTC(2026, 0, 5);
const ONLY = process.env['POWER_HISTORY_COMMIT_ONLY'];
if (ONLY !== undefined && ONLY !== 'hub' && ONLY !== 'own') throw new Error(`POWER_HISTORY_COMMIT_ONLY must be hub or own, got ${ONLY}`);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface PathTimes {
  minuteMs: number[];
  turnMs: number[];
}

/** Writes MINUTES minutes a chunk per turn; each turn timed from the write to the next turn (the batch's commit runs in between). */
async function writeMinutes(write: (startMs: number, rows: readonly PowerBucketRow[]) => void, firstMinute: number): Promise<PathTimes> {
  const minuteMs: number[] = [];
  const turnMs: number[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const startMs = START_MS + (firstMinute + m) * 60_000;
    const rows = Array.from({ length: EVSES }, (_, i) => ({ series: `evse:S${i}/1`, avgW: 1000 + ((i + m) % 97) * 50, maxW: 7400, samples: 12 }));
    let minute = 0;
    for (let c = 0; c < rows.length; c += DEFAULT_CHUNK_ROWS) {
      const chunk = rows.slice(c, c + DEFAULT_CHUNK_ROWS);
      const t0 = performance.now();
      write(startMs, chunk);
      await nextTurn();
      const ms = performance.now() - t0;
      turnMs.push(ms);
      minute += ms;
    }
    minuteMs.push(minute);
  }
  return { minuteMs, turnMs };
}

export const benchmark: Benchmark = {
  name: 'power-history-commit',
  workload: 'W2',
  title: "the power history's minute at N EVSEs through the group commit vs each chunk committed with its own fsync",
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-history-commit-'));
    let store: Store | undefined;
    try {
      store = openStore({ path: join(dir, 'switchyard.db'), clock: new FakeClock(START_MS) });
      const own = new PowerHistoryRepo({ db: store.db });
      const s = store;
      // Alternating halves, so that a change in the machine's load falls on both.
      const hub: PathTimes = { minuteMs: [], turnMs: [] };
      const base: PathTimes = { minuteMs: [], turnMs: [] };
      for (let round = 0; round < 2; round++) {
        const none: PathTimes = { minuteMs: [], turnMs: [] };
        const h = ONLY === 'own' ? none : await writeMinutes((startMs, rows) => s.powerHistory.writeBucket(startMs, rows), round * 2 * MINUTES);
        const b = ONLY === 'hub' ? none : await writeMinutes((startMs, rows) => own.writeBucket(startMs, rows), (round * 2 + 1) * MINUTES);
        for (const [to, from] of [[hub, h], [base, b]] as const) {
          to.minuteMs.push(...from.minuteMs);
          to.turnMs.push(...from.turnMs);
        }
        progress(`round ${round + 1}: ${MINUTES} minutes each way`);
      }
      const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
      return {
        rows: [
          { metric: `event loop per minute's write, ${EVSES} EVSEs, p50`, value: percentile(hub.minuteMs, 50), unit: 'ms', baseline: { label: 'each chunk its own fsync', value: percentile(base.minuteMs, 50) }, digits: 2 },
          { metric: `event loop per minute's write, ${EVSES} EVSEs, max`, value: max(hub.minuteMs), unit: 'ms', baseline: { label: 'each chunk its own fsync', value: max(base.minuteMs) }, digits: 2 },
          { metric: 'one chunk\'s turn (its write and commit), p50', value: percentile(hub.turnMs, 50), unit: 'ms', baseline: { label: 'each chunk its own fsync', value: percentile(base.turnMs, 50) }, digits: 2 },
          { metric: 'one chunk\'s turn, p99', value: percentile(hub.turnMs, 99), unit: 'ms', baseline: { label: 'each chunk its own fsync', value: percentile(base.turnMs, 99) }, digits: 2 },
        ],
        notes: [
          `${2 * MINUTES} minutes each way in ${DEFAULT_CHUNK_ROWS}-series chunks, alternating by ${MINUTES}; database in ${tmpdir()} (TMPDIR)`,
          'the syncs are SQLite\'s own: count them with strace -f -c -e trace=fsync,fdatasync',
        ],
      };
    } finally {
      store?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
