/**
 * The load generator's own event-loop delay and collections over a window, so that a round-trip
 * tail can be told apart: a reply the generator reads late counts in the round trip as much as one
 * the hub sends late. The delay is sampled as the hub's /metrics does (monitorEventLoopDelay at
 * 10 ms resolution, the interval included), so the two read the same way.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

export interface GeneratorLoop {
  /** Event-loop delay p99 and max, ms (10 ms sampling interval included). */
  loopP99Ms: number;
  loopMaxMs: number;
  /** Collections in the window: count, total and longest main-thread pause, ms. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Of them full (mark-compact) collections. */
  gcMajorCount: number;
}

/** Starts watching this process; the returned function stops and reports. */
export function watchGeneratorLoop(): () => GeneratorLoop {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const pauses: number[] = [];
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      pauses.push(e.duration);
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  loop.enable();
  return () => {
    loop.disable();
    observer.disconnect();
    return {
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
      gcCount: pauses.length,
      gcTotalMs: pauses.reduce((a, b) => a + b, 0),
      gcMaxMs: pauses.length ? Math.max(...pauses) : 0,
      gcMajorCount: majors,
    };
  };
}
