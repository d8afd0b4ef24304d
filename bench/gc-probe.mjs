// Preloaded into a hub under test (`node --expose-gc --import ./bench/gc-probe.mjs ...`): on
// SIGUSR2 it runs a full garbage collection and prints the process's memory as one JSON line
// ({"gcProbe": {...}}, bytes) on stdout, so a benchmark can read the live heap of the hub alone.
import process from 'node:process';

process.on('SIGUSR2', () => {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('gc-probe needs node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ gcProbe: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss } })}\n`);
});
