/**
 * The soak's time series of the hub process: resident memory, open file descriptors, database
 * file and WAL size, outbox depth; and whether each is flat (least-squares slope per simulated
 * hour, mean of the first against the last quarter of the run).
 */
import { statSync } from 'node:fs';
import { openFdCount, rssKiB } from './proc-stats.js';
import { linearSlope, mean } from './stats.js';

export interface SoakSample {
  /** Simulated hours since the start of the run. */
  simH: number;
  rssMiB: number;
  fds: number;
  dbMiB: number;
  walMiB: number;
  /** Database and WAL together: what the store takes on disk. */
  storeMiB: number;
  outboxDepth: number;
  /** Taken just before a SIGKILL (the end of a hub lifetime). */
  beforeKill: boolean;
}

export type SeriesName = 'rssMiB' | 'fds' | 'dbMiB' | 'walMiB' | 'storeMiB' | 'outboxDepth';

export const SERIES: ReadonlyArray<{ name: SeriesName; unit: string; digits: number }> = [
  { name: 'rssMiB', unit: 'MiB', digits: 1 },
  { name: 'fds', unit: 'fds', digits: 1 },
  { name: 'dbMiB', unit: 'MiB', digits: 2 },
  { name: 'walMiB', unit: 'MiB', digits: 2 },
  { name: 'storeMiB', unit: 'MiB', digits: 2 },
  { name: 'outboxDepth', unit: 'rows', digits: 1 },
];

const MiB = 1024 * 1024;

function fileMiB(path: string): number {
  try {
    return statSync(path).size / MiB;
  } catch {
    return 0;
  }
}

/** The outbox depth the hub reports on /metrics (switchyard_outbox_depth). */
export async function outboxDepthOf(apiUrl: string): Promise<number> {
  const res = await fetch(`${apiUrl}/metrics`);
  const text = await res.text();
  const m = /^switchyard_outbox_depth(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/m.exec(text);
  if (!m?.[1]) throw new Error('no switchyard_outbox_depth on /metrics');
  return Number(m[1]);
}

/** One sample of the running hub. */
export async function sampleHub(pid: number, apiUrl: string, dbPath: string, simH: number, beforeKill = false): Promise<SoakSample> {
  const outboxDepth = await outboxDepthOf(apiUrl);
  const dbMiB = fileMiB(dbPath);
  const walMiB = fileMiB(`${dbPath}-wal`);
  return { simH, rssMiB: rssKiB(pid) / 1024, fds: openFdCount(pid), dbMiB, walMiB, storeMiB: dbMiB + walMiB, outboxDepth, beforeKill };
}

export interface SeriesSummary {
  name: SeriesName;
  unit: string;
  digits: number;
  slopePerSimH: number;
  /** The slope over the second half only (after the WAL and caches have filled). */
  secondHalfSlopePerSimH: number;
  firstQuarter: number;
  lastQuarter: number;
  max: number;
}

/** Slope and first/last-quarter means of one series over the samples (by simulated time). */
export function summarise(samples: readonly SoakSample[], totalSimH: number): SeriesSummary[] {
  return SERIES.map(({ name, unit, digits }) => {
    const xs = samples.map((s) => s.simH);
    const ys = samples.map((s) => s[name]);
    const inQuarter = (from: number, to: number): number[] => samples.filter((s) => s.simH >= from && s.simH < to).map((s) => s[name]);
    const late = samples.filter((x) => x.simH >= totalSimH / 2);
    return {
      name,
      unit,
      digits,
      slopePerSimH: linearSlope(xs, ys),
      secondHalfSlopePerSimH: linearSlope(
        late.map((x) => x.simH),
        late.map((x) => x[name]),
      ),
      firstQuarter: mean(inQuarter(0, totalSimH / 4)),
      lastQuarter: mean(inQuarter((3 * totalSimH) / 4, Number.POSITIVE_INFINITY)),
      max: Math.max(...ys),
    };
  });
}

export function formatSample(s: SoakSample): string {
  return `h ${s.simH.toFixed(2).padStart(6)}  rss ${s.rssMiB.toFixed(1)} MiB  fds ${s.fds}  db ${s.dbMiB.toFixed(2)} MiB  wal ${s.walMiB.toFixed(2)} MiB  outbox ${s.outboxDepth}${s.beforeKill ? '  (before kill)' : ''}`;
}
