import type { PowerBucketRow } from '../store/power-history-repo.js';

interface Sums {
  sumW: number;
  maxW: number;
  samples: number;
}

/** The samples of one bucket, per series: running sum, maximum and count. Pure. */
export class BucketAccumulator {
  private readonly bySeries = new Map<string, Sums>();

  constructor(readonly startMs: number) {}

  /** Adds one sample; an absent or non-finite value is no sample. */
  add(series: string, valueW: number | undefined): void {
    if (valueW === undefined || !Number.isFinite(valueW)) return;
    const s = this.bySeries.get(series);
    if (s) {
      s.sumW += valueW;
      s.maxW = Math.max(s.maxW, valueW);
      s.samples += 1;
    } else {
      this.bySeries.set(series, { sumW: valueW, maxW: valueW, samples: 1 });
    }
  }

  /** One row per series that had a sample. */
  rows(): PowerBucketRow[] {
    return [...this.bySeries].map(([series, s]) => ({ series, avgW: s.sumW / s.samples, maxW: s.maxW, samples: s.samples }));
  }
}
