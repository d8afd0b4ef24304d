import type Database from 'better-sqlite3';

/** Resolution of the fine buckets, s: one row per series and minute. */
export const FINE_RESOLUTION_S = 60;
/** Resolution of the roll-ups kept for older data, s. */
export const COARSE_RESOLUTION_S = 900;

/** Series names: the site's four, and one per EVSE (`evse:<stationId>/<evseId>`). */
export const SITE_SERIES = { gridW: 'site:grid', pvW: 'site:pv', evW: 'site:ev', limitW: 'site:limit' } as const;
export const EVSE_SERIES_PREFIX = 'evse:';

/** One series' figures for one bucket. Power in W (import positive, as on the dashboard). */
export interface PowerBucketRow {
  series: string;
  avgW: number;
  maxW: number;
  /** Samples behind avgW (weights the merge of partial buckets). */
  samples: number;
}

/** One series' figures over one step of a range query. */
export interface PowerStepRow extends PowerBucketRow {
  /** Start of the step, ms since the epoch (a multiple of the step). */
  startMs: number;
}

export interface PowerRangeQuery {
  /** Which buckets to read: FINE_RESOLUTION_S or COARSE_RESOLUTION_S. */
  resolutionS: number;
  fromMs: number;
  toMs: number;
  /** Width of the steps returned, ms; a multiple of the resolution. */
  stepMs: number;
  /** Only the site's series (what the dashboard's chart reads). */
  siteOnly?: boolean;
}

export interface PowerHistoryRepoDeps {
  db: Database.Database;
  /**
   * Runs a bucket's write (the store passes its group commit's `lazily`: the write joins the
   * turn's batch and syncs with the next write that needs a sync, instead of committing on its
   * own with an fsync on the event loop). Default: the write's own transaction.
   */
  atomically?: <T>(fn: () => T) => T;
}

interface StepSqlRow {
  series: string;
  startMs: number;
  avgW: number;
  maxW: number;
  samples: number;
}

/**
 * The power history (table `power_history`). A minute's bucket is written once, when it is
 * complete (or when the hub stops: a restart within the same minute merges into it), and merged
 * into the 15-minute roll-up it belongs to in the same transaction, so the coarse rows always
 * agree with the fine ones. The write is one pass over the minute's rows (two upserts each): it
 * never reads the quarter's other minutes. No state in memory: a restart continues from the rows.
 * Every statement is prepared once, here.
 */
export class PowerHistoryRepo {
  private readonly upsertFine: Database.Statement<[{ startMs: number; series: string; avgW: number; maxW: number; samples: number }]>;
  private readonly upsertCoarse: Database.Statement<[{ startMs: number; series: string; avgW: number; maxW: number; samples: number }]>;
  private readonly steps: Database.Statement<[{ resolutionS: number; fromMs: number; toMs: number; stepMs: number }], StepSqlRow>;
  private readonly siteSteps: Database.Statement<[{ resolutionS: number; fromMs: number; toMs: number; stepMs: number }], StepSqlRow>;
  private readonly deleteBatch: Database.Statement<[number, number, number]>;
  private readonly writeTx: (startMs: number, rows: readonly PowerBucketRow[]) => void;
  private readonly atomically: <T>(fn: () => T) => T;

  constructor(deps: PowerHistoryRepoDeps) {
    const db = deps.db;
    this.atomically = deps.atomically ?? ((fn) => fn());
    // The fine row for the minute, and the minute's quarter, take the rows the same way: merged
    // into what is there (a weighted mean, the larger maximum, the samples added), so the
    // quarter's row equals the roll-up of its minutes without reading them again.
    const upsert = (resolutionS: number) => db.prepare<[{ startMs: number; series: string; avgW: number; maxW: number; samples: number }]>(
      `INSERT INTO power_history (resolution_s, start_ms, series, avg_w, max_w, samples)
       VALUES (${resolutionS}, @startMs, @series, @avgW, @maxW, @samples)
       ON CONFLICT (resolution_s, start_ms, series) DO UPDATE SET
         avg_w = (avg_w * samples + excluded.avg_w * excluded.samples) / (samples + excluded.samples),
         max_w = MAX(max_w, excluded.max_w),
         samples = samples + excluded.samples`,
    );
    this.upsertFine = upsert(FINE_RESOLUTION_S);
    this.upsertCoarse = upsert(COARSE_RESOLUTION_S);
    const stepsSql = (from: string, seriesFilter: string) =>
      `SELECT series, start_ms - start_ms % @stepMs AS startMs,
              SUM(avg_w * samples) / SUM(samples) AS avgW, MAX(max_w) AS maxW, SUM(samples) AS samples
       FROM ${from}
       WHERE resolution_s = @resolutionS AND start_ms >= @fromMs AND start_ms < @toMs ${seriesFilter}
       GROUP BY startMs, series
       ORDER BY startMs, series`;
    this.steps = db.prepare(stepsSql('power_history', ''));
    // Four seeks on the series index instead of a scan of every series in the window.
    const siteList = Object.values(SITE_SERIES).map((n) => `'${n}'`).join(', ');
    this.siteSteps = db.prepare(stepsSql('power_history INDEXED BY power_history_by_series', `AND series IN (${siteList})`));
    const coarseMs = COARSE_RESOLUTION_S * 1000;
    this.writeTx = db.transaction((startMs: number, rows: readonly PowerBucketRow[]) => {
      const quarterMs = Math.floor(startMs / coarseMs) * coarseMs;
      for (const r of rows) {
        if (r.samples <= 0) continue;
        const row = { startMs, series: r.series, avgW: r.avgW, maxW: r.maxW, samples: r.samples };
        this.upsertFine.run(row);
        row.startMs = quarterMs;
        this.upsertCoarse.run(row);
      }
    });
    // Batched deletes: the oldest rows go first, a bounded number per call.
    this.deleteBatch = db.prepare(
      `DELETE FROM power_history WHERE (resolution_s, start_ms, series) IN
         (SELECT resolution_s, start_ms, series FROM power_history WHERE resolution_s = ? AND start_ms < ? ORDER BY start_ms LIMIT ?)`,
    );
  }

  /**
   * Writes one minute's rows (startMs a multiple of 60 s) in one transaction: merged with rows
   * already there for that minute, and merged into the minute's 15-minute roll-up. Through the
   * store it joins the turn's batch without a sync of its own (`atomically`): the history is not
   * billing data, and a power cut before the next sync loses at most the minutes since.
   */
  writeBucket(startMs: number, rows: readonly PowerBucketRow[]): void {
    if (rows.length === 0) return;
    this.atomically(() => this.writeTx(startMs, rows));
  }

  /** Per series and step in [fromMs, toMs): the weighted mean, the maximum and the sample count. */
  range(q: PowerRangeQuery): PowerStepRow[] {
    return (q.siteOnly ? this.siteSteps : this.steps).all({ resolutionS: q.resolutionS, fromMs: q.fromMs, toMs: q.toMs, stepMs: q.stepMs });
  }

  /** Deletes at most `limit` rows of one resolution older than cutoffMs (oldest first); how many went. */
  deleteBefore(resolutionS: number, cutoffMs: number, limit: number): number {
    return this.deleteBatch.run(resolutionS, cutoffMs, limit).changes;
  }
}
