// Preloaded into a hub under test (`node --expose-gc --import ./bench/gc-probe.mjs ...`): on
// SIGUSR2 it runs a full garbage collection and prints the process's memory as one JSON line
// ({"gcProbe": {...}}, bytes) on stdout, so a benchmark can read the live heap of the hub alone.
// With GC_PROBE_SNAPSHOTS=<dir> it also writes a heap snapshot per probe there (probe-1, -2, ...).
import process from 'node:process';
import { writeHeapSnapshot } from 'node:v8';

let probes = 0;

process.on('SIGUSR2', () => {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('gc-probe needs node --expose-gc');
  gc();
  gc();
  probes++;
  const dir = process.env['GC_PROBE_SNAPSHOTS'];
  if (dir) writeHeapSnapshot(`${dir}/probe-${probes}.heapsnapshot`);
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ gcProbe: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss } })}\n`);
});
