// Preloaded into a hub under test (`node --import ./bench/gc-window.mjs ...`): the first SIGUSR2
// opens a measured window, the second closes it and prints one JSON line ({"gcWindow": {...}}) on
// stdout with the window's length and every garbage collection in it (kind and main-thread pause,
// from perf_hooks' 'gc' entries). With GC_WINDOW_ALLOC=<file> it also runs V8's sampling heap
// profiler over the window (objects later collected by scavenges and full collections included,
// so it counts what was allocated, not what survived), writes the profile there and adds the
// sampled bytes. The benchmark divides by the messages it sent in the window.
// GC_WINDOW_KEEP=survivors leaves out what scavenges collected (what is left is what outlived the
// young generation: promoted, or still in it at the end); GC_WINDOW_KEEP=retained also what full
// collections did (what is still in the heap at the end).
// GC_WINDOW_CPU=<file> also runs V8's CPU profiler over the window (250 us interval) and writes the
// profile there (it opens in Chrome DevTools; bench/slow-messages.ts reads it). Starting the
// profiler holds the hub for a few hundred ms: the window's first messages pay for it.
// GC_WINDOW_TURNS=1 runs a 1 ms interval timer in the window and reports every gap between its
// runs longer than TURN_MS (a turn of the event loop that long, or several back to back), with how
// much of it GC pauses took, and the control decisions that ended in the window (when, their own
// CPU ms, their reasons).
// GC_WINDOW_BATCHES=1 times the group commit's batches in the window from outside (the hub's own
// compiled GroupCommit, its methods wrapped here; nothing in the hub changes): per batch, when it
// opened, when its end-of-turn commit ran and how long that took on the event loop, how many
// barriers (answers waiting) it released, and when their wait ended (the log's sync).
import inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { clearInterval, setInterval } from 'node:timers';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'markCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakCallbacks',
};
const SAMPLING_INTERVAL_BYTES = 1024;
const CPU_SAMPLING_INTERVAL_US = 250;
const TURN_MS = 5;

let window; // { t0, gcs: [[kind, ms]], gcSpans: [[start, end]], gaps: [[start, ms]], session, cpu, timer }
const observer = new PerformanceObserver((list) => {
  if (!window) return;
  for (const e of list.getEntries()) {
    window.gcs.push([KINDS[e.detail?.kind] ?? 'other', e.duration]);
    window.gcSpans.push([e.startTime, e.startTime + e.duration]);
  }
});
observer.observe({ entryTypes: ['gc'] });

function post(session, method, params) {
  return new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}

/** Bytes of every sample in a sampling heap profile's tree. */
function sampledBytes(node) {
  let sum = node.selfSize;
  for (const c of node.children) sum += sampledBytes(c);
  return sum;
}

/** Runs a 1 ms timer and records each gap between its runs longer than TURN_MS. */
function watchTurns(w) {
  let last = performance.now();
  w.timer = setInterval(() => {
    const now = performance.now();
    if (now - last > TURN_MS + 1) w.gaps.push([last, now - last]);
    last = now;
  }, 1);
}

/** The gaps as counts over thresholds, and the GC pause time inside them. */
function gapSummary(w) {
  const inGc = ([start, ms]) => {
    let sum = 0;
    for (const [a, b] of w.gcSpans) sum += Math.max(0, Math.min(b, start + ms) - Math.max(a, start));
    return sum;
  };
  const over = (t) => w.gaps.filter(([, ms]) => ms > t);
  return {
    over5: over(5).length,
    over10: over(10).length,
    over20: over(20).length,
    gcMsInGapsOver5: over(5).reduce((a, g) => a + inGc(g), 0),
    msInGapsOver5: over(5).reduce((a, [, ms]) => a + ms, 0),
    gaps: w.gaps.map((g) => [Math.round(g[0] - w.t0), Number(g[1].toFixed(2)), Number(inGc(g).toFixed(2))]),
  };
}

let batchesPatched = false;

/**
 * Wraps the hub's GroupCommit (the module the hub loaded: same URL, same instance) so that each
 * batch in the window is recorded as [opened, commit began, commit ms, barriers, released], times
 * in ms since the window opened; released is when the barriers resolved (undefined: none waited).
 */
async function watchBatches() {
  if (batchesPatched) return;
  batchesPatched = true;
  const { GroupCommit } = await import(pathToFileURL(resolve('dist/src/store/group-commit.js')).href);
  const proto = GroupCommit.prototype;
  const openBatch = proto.openBatch;
  const commitWith = proto.commitWith;
  const opened = new WeakMap();
  proto.openBatch = function (...args) {
    const ok = openBatch.apply(this, args);
    if (ok && window) opened.set(this, performance.now());
    return ok;
  };
  proto.commitWith = function (...args) {
    const w = window;
    const openedAt = opened.get(this);
    opened.delete(this);
    if (!w || openedAt === undefined || !this.open) return commitWith.apply(this, args);
    const barriers = this.waiters.length;
    const t = performance.now();
    commitWith.apply(this, args);
    const done = performance.now();
    const row = [openedAt - w.t0, t - w.t0, done - t, barriers, undefined];
    w.batches.push(row);
    if (barriers === 0) return;
    // The barriers resolve with the sync still pending (this.durable), else they did already.
    const durable = this.durable;
    if (!durable) row[4] = done - w.t0;
    else durable.then(() => (row[4] = performance.now() - w.t0), () => undefined);
  };
}

let decisionsPatched = false;

/**
 * Wraps the hub's Controller (as watchBatches does the group commit) so that each control
 * decision that ends in the window is recorded as [ms since the window opened, its own CPU ms
 * (the steps'), reasons].
 */
async function watchDecisions() {
  if (decisionsPatched) return;
  decisionsPatched = true;
  const { Controller } = await import(pathToFileURL(resolve('dist/src/control/controller.js')).href);
  const commit = Controller.prototype.commit;
  Controller.prototype.commit = function (result, snapshot, reasons, nowMs, durationMs) {
    const w = window;
    if (w) w.decisions.push([Number((performance.now() - w.t0).toFixed(1)), Number(durationMs.toFixed(2)), reasons.slice(0, 3).join(' ')]);
    return commit.call(this, result, snapshot, reasons, nowMs, durationMs);
  };
}

async function open() {
  const w = { t0: performance.now(), gcs: [], gcSpans: [], gaps: [], batches: [], decisions: [], session: undefined, cpu: undefined, timer: undefined };
  if (process.env['GC_WINDOW_TURNS'] === '1') {
    try {
      await watchDecisions();
    } catch (err) {
      process.stderr.write(`gc-window: cannot time the control decisions: ${String(err)}\n`);
    }
  }
  if (process.env['GC_WINDOW_BATCHES'] === '1') {
    try {
      await watchBatches();
    } catch (err) {
      process.stderr.write(`gc-window: cannot time the group commit's batches: ${String(err)}\n`);
    }
  }
  if (process.env['GC_WINDOW_CPU']) {
    w.cpu = new inspector.Session();
    w.cpu.connect();
    await post(w.cpu, 'Profiler.enable', {});
    await post(w.cpu, 'Profiler.setSamplingInterval', { interval: CPU_SAMPLING_INTERVAL_US });
    await post(w.cpu, 'Profiler.start', {});
  }
  if (process.env['GC_WINDOW_TURNS'] === '1') watchTurns(w);
  const file = process.env['GC_WINDOW_ALLOC'];
  if (file) {
    w.session = new inspector.Session();
    w.session.connect();
    await post(w.session, 'HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL_BYTES,
      includeObjectsCollectedByMajorGC: process.env['GC_WINDOW_KEEP'] !== 'retained',
      includeObjectsCollectedByMinorGC: process.env['GC_WINDOW_KEEP'] === undefined,
    });
  }
  window = w;
  // A marker for a copy of the hub's stdout (BENCH_TEE), e.g. to cut V8's --trace-gc lines to the window.
  process.stdout.write('{"gcWindowOpen":true}\n');
}

async function close() {
  const w = window;
  window = undefined;
  // Epoch times, so that the gaps and the CPU profile can be laid beside a client's timeline
  // (bench/slow-messages.ts): the window's start, and epoch minus the monotonic clock that V8's
  // profile timestamps count (µs) and process.hrtime reads (ms here).
  const out = { seconds: (performance.now() - w.t0) / 1000, gcs: w.gcs, gcStartsMs: w.gcSpans.map(([a]) => Number((a - w.t0).toFixed(1))), t0EpochMs: performance.timeOrigin + w.t0, monotonicToEpochMs: performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6 };
  if (w.timer) {
    clearInterval(w.timer);
    out.turns = gapSummary(w);
    out.decisions = w.decisions;
  }
  if (process.env['GC_WINDOW_BATCHES'] === '1') out.batches = w.batches.map((b) => b.map((x) => (x === undefined ? null : Number(x.toFixed(3)))));
  if (w.cpu) {
    const { profile } = await post(w.cpu, 'Profiler.stop', {});
    w.cpu.disconnect();
    writeFileSync(process.env['GC_WINDOW_CPU'], JSON.stringify(profile));
  }
  if (w.session) {
    const { profile } = await post(w.session, 'HeapProfiler.stopSampling', {});
    w.session.disconnect();
    writeFileSync(process.env['GC_WINDOW_ALLOC'], JSON.stringify(profile));
    out.sampledBytes = sampledBytes(profile.head);
  }
  process.stdout.write(`${JSON.stringify({ gcWindow: out })}\n`);
}

process.on('SIGUSR2', () => {
  void (window ? close() : open());
});
