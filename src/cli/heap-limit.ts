import { getHeapStatistics } from 'node:v8';

/**
 * The V8 heap limit against what the hub's live heap needs for the stations it may hold. The
 * hub starts node with a capped old space (`--max-old-space-size`, see package.json's start
 * script and bin/switchyard.js): V8 then grows its heap by a smaller factor over what is live,
 * which keeps the resident memory near the live data instead of up to four times it. A cap too
 * low for the site would end in an out-of-memory crash, so the hub says so at start.
 *
 * Live heap measured with `npm run bench -- live-heap` (BENCHMARKS.md): about 30 MiB with no
 * station, 2.9 KiB per declared station and 3.2 KiB more per connected one after traffic.
 */
const BASE_MIB = 30;
const PER_STATION_KIB = 6.5;
/** Headroom the limit should give over the estimated live heap (garbage between collections, bursts). */
const HEADROOM = 4;

export interface HeapLimitCheck {
  heapLimitMiB: number;
  estimatedLiveMiB: number;
  /** Set when the limit gives less than the headroom: the --max-old-space-size to use instead, MiB. */
  suggestedMiB?: number;
}

/** Checks a heap limit (MiB) against the stations the hub may hold (declared, or admitted up to the connection cap). */
export function checkHeapLimit(heapLimitMiB: number, stations: number): HeapLimitCheck {
  const estimatedLiveMiB = BASE_MIB + (Math.max(0, stations) * PER_STATION_KIB) / 1024;
  const check: HeapLimitCheck = { heapLimitMiB, estimatedLiveMiB };
  if (heapLimitMiB >= estimatedLiveMiB * HEADROOM) return check;
  return { ...check, suggestedMiB: Math.ceil((estimatedLiveMiB * HEADROOM * 2) / 256) * 256 };
}

/** This process's V8 heap limit, MiB. */
export function heapLimitMiB(): number {
  return getHeapStatistics().heap_size_limit / (1024 * 1024);
}
