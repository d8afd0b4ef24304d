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
import inspector from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import process from 'node:process';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'markCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakCallbacks',
};
const SAMPLING_INTERVAL_BYTES = 1024;

let window; // { t0, gcs: [[kind, ms]], session }
const observer = new PerformanceObserver((list) => {
  if (!window) return;
  for (const e of list.getEntries()) window.gcs.push([KINDS[e.detail?.kind] ?? 'other', e.duration]);
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

async function open() {
  const w = { t0: performance.now(), gcs: [], session: undefined };
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
  const out = { seconds: (performance.now() - w.t0) / 1000, gcs: w.gcs };
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
