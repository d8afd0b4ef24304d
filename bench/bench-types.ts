/**
 * What a benchmark is and what it reports. Every figure may carry the same figure measured on a
 * baseline in the same run; the ratio is subject / baseline.
 */

export interface BenchRow {
  /** What was measured, e.g. "messages/s at saturation". */
  metric: string;
  value: number;
  unit: string;
  /** The same metric on the in-run baseline, when there is one. */
  baseline?: { label: string; value: number };
  /** Fraction digits to print (default 1). */
  digits?: number;
}

export interface BenchResult {
  rows: BenchRow[];
  /** Things a reader must know to read the rows (conditions, sanity checks, caveats). */
  notes: string[];
}

export interface Benchmark {
  /** Short name used on the command line: `npm run bench -- <name>`. */
  name: string;
  /** Workload id from the workloads document (W1..W5). */
  workload: string;
  /** One line: what is measured and against what. */
  title: string;
  /** Runs to completion by itself; `progress` prints a line while it runs. */
  run(progress: (line: string) => void): Promise<BenchResult>;
}

export function ratioOf(row: BenchRow): number | undefined {
  if (!row.baseline || row.baseline.value === 0) return undefined;
  return row.value / row.baseline.value;
}
