/**
 * The hub's garbage collections over a measured window (bench/gc-window.mjs, preloaded into the
 * hub): how many scavenges and full collections, their main-thread pauses, and with
 * GC_WINDOW_ALLOC=<file> the bytes V8's sampling heap profiler saw allocated.
 * BENCH_SCALE_GC_WINDOW=1 turns it on in `scale` for the steady traffic.
 */
import type { BenchRow } from './bench-types.js';
import type { ServerProcess } from './server-process.js';
import { percentile } from './stats.js';

export const GC_WINDOW_NODE_ARGS = ['--import', './bench/gc-window.mjs'];

export interface GcWindow {
  seconds: number;
  /** [kind, pause ms] per collection; kinds: scavenge, markCompact, incremental, weakCallbacks. */
  gcs: Array<[string, number]>;
  /** When each of gcs began, ms since the window opened (same order). */
  gcStartsMs?: number[];
  sampledBytes?: number;
  /** With GC_WINDOW_TURNS=1: gaps of a 1 ms timer longer than 5 ms (long turns of the event loop). */
  turns?: {
    over5: number;
    over10: number;
    over20: number;
    /** GC pause time inside the gaps over 5 ms, and the gaps' total, ms. */
    gcMsInGapsOver5: number;
    msInGapsOver5: number;
    /** [ms since the window opened, gap ms, GC pause ms in it] */
    gaps: Array<[number, number, number]>;
  };
  /**
   * With GC_WINDOW_BATCHES=1: the group commit's batches, each [opened, commit began, commit ms,
   * barriers, released] (ms since the window opened; released null when no barrier waited).
   */
  batches?: Array<[number, number, number, number, number | null]>;
  /** With GC_WINDOW_TURNS=1: the control decisions that ended in the window, [ms since it opened, their steps' CPU ms, reasons]. */
  decisions?: Array<[number, number, string]>;
  /** When the window opened, epoch ms (the gaps count from it). */
  t0EpochMs?: number;
  /** Epoch ms minus the monotonic clock's ms (V8's CPU profile timestamps are that clock in µs). */
  monotonicToEpochMs?: number;
}

/** Opens the window in the hub (it must run with GC_WINDOW_NODE_ARGS). */
export function openGcWindow(proc: ServerProcess): void {
  process.kill(proc.pid, 'SIGUSR2');
}

/** Closes the window and reads what the hub printed (rejects after 30 s without an answer). */
export function closeGcWindow(proc: ServerProcess): Promise<GcWindow> {
  return new Promise((resolveWindow, reject) => {
    const timer = setTimeout(() => reject(new Error('no gc-window answer within 30 s')), 30_000);
    let done = false;
    proc.onLine((line) => {
      if (done || !line.startsWith('{"gcWindow"')) return;
      done = true;
      clearTimeout(timer);
      resolveWindow((JSON.parse(line) as { gcWindow: GcWindow }).gcWindow);
    });
    process.kill(proc.pid, 'SIGUSR2');
  });
}

/** Rows for the window: collections per minute, pauses, and per message (`messages` sent in it). */
export function gcWindowRows(w: GcWindow, messages: number): BenchRow[] {
  const of = (kind: string) => w.gcs.filter(([k]) => k === kind).map(([, ms]) => ms);
  const perMin = (n: number) => (60 * n) / w.seconds;
  const scavenges = of('scavenge');
  const fulls = of('markCompact');
  const all = w.gcs.map(([, ms]) => ms);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
  const rows: BenchRow[] = [
    { metric: `steady: scavenges per minute (${scavenges.length} in ${w.seconds.toFixed(1)} s)`, value: perMin(scavenges.length), unit: '/min', digits: 1 },
    { metric: 'steady: scavenges per 1,000 messages', value: (1000 * scavenges.length) / messages, unit: 'count', digits: 2 },
    { metric: 'steady: scavenge pause, mean / max', value: sum(scavenges) / Math.max(1, scavenges.length), unit: `ms (max ${max(scavenges).toFixed(2)} ms)`, digits: 2 },
    { metric: `steady: mark-compacts per minute (${fulls.length} in the window)`, value: perMin(fulls.length), unit: '/min', digits: 1 },
    { metric: 'steady: mark-compact pause, mean / max', value: sum(fulls) / Math.max(1, fulls.length), unit: `ms (max ${max(fulls).toFixed(2)} ms)`, digits: 2 },
    { metric: 'steady: all GC pauses, total / max', value: sum(all), unit: `ms (max ${max(all).toFixed(2)} ms, ${all.length} pauses)`, digits: 1 },
  ];
  if (w.turns) {
    const t = w.turns;
    rows.push(
      { metric: 'steady: hub turns (1 ms timer gaps) over 5 / 10 / 20 ms', value: t.over5, unit: `count (${t.over10} over 10 ms, ${t.over20} over 20 ms)`, digits: 0 },
      { metric: 'steady: hub gaps over 5 ms, total / of it GC pauses', value: t.msInGapsOver5, unit: `ms (GC ${t.gcMsInGapsOver5.toFixed(1)} ms)`, digits: 1 },
    );
  }
  if (w.batches) rows.push(...batchRows(w.batches));
  if (w.sampledBytes !== undefined) {
    rows.push({ metric: 'steady: allocated per message (sampled, 1 KiB interval)', value: w.sampledBytes / messages / 1024, unit: 'KiB', digits: 2 });
  }
  return rows;
}

/** Barriers in a batch of at least this many count as "a backlog handled in one go". */
const LARGE_BATCH = 10;

/**
 * The group commit's batches: how many barriers (answers waiting) each released, how long its
 * commit held the event loop, and per barrier how long its batch kept it from the moment the batch
 * opened (the turn's first write) until it was released (after the commit and the log's sync): in
 * a batch of many, the first message's answer waits for all the others to be handled and
 * committed.
 */
function batchRows(batches: NonNullable<GcWindow['batches']>): BenchRow[] {
  const waited = batches.filter((b) => b[3] > 0 && b[4] !== null);
  const perBarrier = (keep: (barriers: number) => boolean): number[] =>
    waited.filter((b) => keep(b[3])).flatMap((b) => Array<number>(b[3]).fill((b[4] as number) - b[0]));
  const all = perBarrier(() => true);
  const large = perBarrier((n) => n >= LARGE_BATCH);
  const small = perBarrier((n) => n < LARGE_BATCH);
  const sizes = waited.map((b) => b[3]);
  const commitMs = batches.map((b) => b[2]);
  const largeCommitMs = waited.filter((b) => b[3] >= LARGE_BATCH).map((b) => b[2]);
  const turnMs = waited.map((b) => b[1] - b[0]);
  const f = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)}, p99 ${percentile(xs, 99).toFixed(2)}, max ${(xs.length ? Math.max(...xs) : Number.NaN).toFixed(2)} ms`;
  return [
    { metric: `steady: group-commit batches (with barriers: ${waited.length}); barriers per batch with any, p50 / p90 / max`, value: batches.length, unit: `(${percentile(sizes, 50)} / ${percentile(sizes, 90)} / ${sizes.length ? Math.max(...sizes) : 0})`, digits: 0 },
    { metric: `steady: barriers released by batches of >= ${LARGE_BATCH} (of ${all.length})`, value: (100 * large.length) / Math.max(1, all.length), unit: '%', digits: 1 },
    { metric: 'steady: batch commit on the event loop, all batches', value: percentile(commitMs, 50), unit: `ms (${f(commitMs)}); batches of >= ${LARGE_BATCH}: ${f(largeCommitMs)}`, digits: 2 },
    { metric: 'steady: batch open -> its commit (the turn after its first write)', value: percentile(turnMs, 50), unit: `ms (${f(turnMs)})`, digits: 2 },
    { metric: 'steady: per barrier, batch open -> released (commit and sync)', value: percentile(all, 50), unit: `ms (${f(all)}); in batches of >= ${LARGE_BATCH}: ${f(large)}; smaller: ${f(small)}`, digits: 2 },
  ];
}
