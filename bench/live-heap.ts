/**
 * Live memory of the hub per declared and per connected station (W2, declared stations). RSS
 * moves by tens of MiB with when the collector last ran; this reads what is alive. The hub runs
 * as in `scale` (bench/scale-target.ts) with `--expose-gc` and bench/gc-probe.mjs, which on
 * SIGUSR2 collects and prints the process's memory. Probes: the hub with no station declared,
 * with N declared (idle), with all N connected, booted and in a transaction, and after steady
 * traffic (a meter message per station every 10 s). BENCH_LIVE_HEAP_N sets N (default 2,000).
 */
import { createPrng } from '../src/sim/prng.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { Fleet } from './fleet.js';
import { sleepMs } from './server-process.js';
import { BENCH_ID_TAG, startHubTarget, type ScaleTarget } from './scale-target.js';

const N = Number(process.env['BENCH_LIVE_HEAP_N'] ?? 2000);
const STEADY_S = 20;
const PROBE_ARGS = ['--expose-gc', '--import', './bench/gc-probe.mjs'];

interface Probe {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

/** Collects in the hub and reads its memory (bytes). */
function probe(target: ScaleTarget): Promise<Probe> {
  return new Promise((resolveProbe, reject) => {
    const timer = setTimeout(() => reject(new Error('no gc-probe answer within 60 s')), 60_000);
    let done = false;
    target.proc.onLine((line) => {
      if (done || !line.startsWith('{"gcProbe"')) return;
      done = true;
      clearTimeout(timer);
      resolveProbe((JSON.parse(line) as { gcProbe: Probe }).gcProbe);
    });
    process.kill(target.proc.pid, 'SIGUSR2');
  });
}

async function withHub<T>(declared: number, run: (target: ScaleTarget) => Promise<T>): Promise<T> {
  const target = await startHubTarget(declared, [], PROBE_ARGS);
  try {
    await sleepMs(1500);
    return await run(target);
  } finally {
    await target.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'live-heap',
  workload: 'W2',
  title: `live memory of the hub per station, ${N} declared stations`,
  async run(progress): Promise<BenchResult> {
    progress('hub with no station declared');
    const empty = await withHub(0, probe);
    progress(`hub with ${N} declared`);
    const [idle, connected, steady] = await withHub(N, async (target) => {
      const idleProbe = await probe(target);
      const fleet = new Fleet({ url: target.url, size: N, checkBootStatus: true, idTag: BENCH_ID_TAG, callTimeoutMs: 30_000, prng: createPrng(2026) });
      try {
        progress(`connecting ${N}`);
        await fleet.connectAll(100);
        await sleepMs(1500);
        const connectedProbe = await probe(target);
        progress(`steady traffic for ${STEADY_S} s`);
        await fleet.steady(N / 10, STEADY_S * 1000);
        await sleepMs(1500);
        return [idleProbe, connectedProbe, await probe(target)];
      } finally {
        fleet.dropAll();
      }
    });
    const mib = (b: number) => b / 1048576;
    const kibPer = (a: number, b: number) => (b - a) / 1024 / N;
    const rows: BenchRow[] = [
      { metric: 'live heap, no station declared', value: mib(empty.heapUsed), unit: 'MiB' },
      { metric: `live heap, ${N} declared, none connected`, value: mib(idle.heapUsed), unit: 'MiB' },
      { metric: `live heap, ${N} connected, booted, in a transaction`, value: mib(connected.heapUsed), unit: 'MiB' },
      { metric: `live heap after ${STEADY_S} s of steady traffic`, value: mib(steady.heapUsed), unit: 'MiB' },
      { metric: 'live heap per declared station', value: kibPer(empty.heapUsed, idle.heapUsed), unit: 'KiB', digits: 2 },
      { metric: 'live heap per connected station (beyond declared)', value: kibPer(idle.heapUsed, connected.heapUsed), unit: 'KiB', digits: 2 },
      { metric: 'live heap per station after steady traffic (beyond declared)', value: kibPer(idle.heapUsed, steady.heapUsed), unit: 'KiB', digits: 2 },
      { metric: 'memory outside the heap per connected station (external, array buffers included)', value: kibPer(idle.external, connected.external), unit: 'KiB', digits: 2 },
      { metric: 'RSS after collection: none declared / N declared / connected / steady', value: mib(empty.rss), unit: `MiB / ${mib(idle.rss).toFixed(1)} / ${mib(connected.rss).toFixed(1)} / ${mib(steady.rss).toFixed(1)} MiB` },
    ];
    return { rows, notes: [`Hub as in scale (declared stations, compiled unless BENCH_HUB_RUNTIME=tsx), with ${PROBE_ARGS.join(' ')}; every probe runs two full collections first.`] };
  },
};
