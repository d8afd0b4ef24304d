import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { PowerBucketRow } from '../store/power-history-repo.js';
import { EVSE_SERIES_PREFIX, FINE_RESOLUTION_S, SITE_SERIES } from '../store/power-history-repo.js';
import { BucketAccumulator } from './bucket-accumulator.js';
import { BucketWriteQueue, type UnstoredBucket } from './bucket-write-queue.js';

/** The site's power now, W (import positive; PV production positive, as on the dashboard). */
export interface PowerReading {
  gridW?: number;
  pvW?: number;
  evW?: number;
  limitW?: number;
  /** Power drawn per EVSE, W, by EVSE key (`<stationId>/<evseId>`). */
  evses: ReadonlyArray<{ evseKey: string; powerW?: number }>;
}

export { EVSE_SERIES_PREFIX, SITE_SERIES };

export interface PowerSamplerDeps {
  clock: Clock;
  log: Logger;
  /** Reads the site's power now (called once per sample period, never per message). */
  read(): PowerReading;
  /** Where complete buckets go (PowerHistoryRepo): called per chunk of series, one transaction each. */
  sink: { writeBucket(startMs: number, rows: readonly PowerBucketRow[]): void };
  /** Sample period, ms (default 5000): samples fall on multiples of it. */
  sampleIntervalMs?: number;
  /** Series written per event-loop turn (default 250; see BucketWriteQueue). */
  chunkRows?: number;
  /** Runs fn on a later event-loop turn (default setImmediate). */
  nextTurn?: (fn: () => void) => void;
}

/**
 * Samples the site's power on the injected clock and keeps the history at the hub: the samples
 * of one minute are aggregated in memory (mean and max per series) and written once, when the
 * minute is over, a chunk of series per event-loop turn (BucketWriteQueue). What is not stored
 * yet (the bucket in progress, and the rest of a bucket being written) is readable (`pending`)
 * so the API can show it, and is written on stop (a restart within the same minute merges into it).
 */
export class PowerSampler {
  private readonly bucketMs = FINE_RESOLUTION_S * 1000;
  private readonly intervalMs: number;
  private current: BucketAccumulator | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly writes: BucketWriteQueue;

  constructor(private readonly deps: PowerSamplerDeps) {
    this.intervalMs = deps.sampleIntervalMs ?? 5000;
    this.writes = new BucketWriteQueue({
      log: deps.log,
      sink: deps.sink,
      ...(deps.chunkRows !== undefined ? { chunkRows: deps.chunkRows } : {}),
      ...(deps.nextTurn ? { nextTurn: deps.nextTurn } : {}),
    });
    if (!(this.intervalMs > 0) || this.bucketMs % this.intervalMs !== 0) {
      throw new Error(`sample interval ${this.intervalMs} ms must divide the bucket of ${this.bucketMs} ms`);
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sample();
  }

  /** Stops sampling and writes, now, the bucket in progress and whatever is still queued. */
  stop(): void {
    this.running = false;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    this.writes.drain();
  }

  /**
   * What is not stored yet, oldest first: the rest of a bucket being written, and the bucket in
   * progress (start and rows so far) if it has samples. A series appears at most once per bucket.
   */
  pending(): UnstoredBucket[] {
    const out = this.writes.unstored();
    const rows = this.current?.rows() ?? [];
    if (this.current && rows.length > 0) out.push({ startMs: this.current.startMs, rows });
    return out;
  }

  /** Resolves when every complete bucket is stored (tests and benchmarks wait on it). */
  written(): Promise<void> {
    return this.writes.idle();
  }

  /** Takes one sample now (the timer calls it; tests may too). */
  sample(): void {
    const nowMs = this.deps.clock.nowMs();
    const startMs = Math.floor(nowMs / this.bucketMs) * this.bucketMs;
    if (this.current && this.current.startMs !== startMs) this.flush();
    try {
      const reading = this.deps.read();
      this.current ??= new BucketAccumulator(startMs);
      for (const [key, series] of Object.entries(SITE_SERIES) as Array<[keyof typeof SITE_SERIES, string]>) {
        this.current.add(series, reading[key]);
      }
      for (const e of reading.evses) this.current.add(EVSE_SERIES_PREFIX + e.evseKey, e.powerW);
    } catch (err) {
      this.deps.log.error({ err }, 'power history: sampling failed; next sample as usual');
    }
    this.schedule(nowMs);
  }

  private schedule(nowMs: number): void {
    if (!this.running) return;
    this.deps.clock.clearTimeout(this.timer);
    // On multiples of the interval, so each minute gets the same number of samples.
    const delayMs = this.intervalMs - (nowMs % this.intervalMs);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.sample();
    }, delayMs);
  }

  private flush(): void {
    const bucket = this.current;
    this.current = undefined;
    if (!bucket) return;
    this.writes.push(bucket.startMs, bucket.rows());
  }
}
