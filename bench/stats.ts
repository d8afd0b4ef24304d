/** Small summary statistics for benchmark samples. */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, as a fraction. */
  relativeRange: number;
}

export function spreadOf(samples: readonly number[]): Spread {
  const m = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return { median: m, min, max, relativeRange: m === 0 ? Number.NaN : (max - min) / m };
}
