import type { Logger } from '../util/logger.js';
import type { PowerBucketRow } from '../store/power-history-repo.js';

/** Series written per event-loop turn by default: about 5 ms of upserts on the small box. */
export const DEFAULT_CHUNK_ROWS = 250;

/** Rows of one bucket not yet stored. */
export interface UnstoredBucket {
  startMs: number;
  rows: readonly PowerBucketRow[];
}

export interface BucketWriteQueueDeps {
  log: Logger;
  /** Stores some rows of one bucket in one transaction (PowerHistoryRepo.writeBucket). */
  sink: { writeBucket(startMs: number, rows: readonly PowerBucketRow[]): void };
  /** Series per transaction (and per event-loop turn); default DEFAULT_CHUNK_ROWS. */
  chunkRows?: number;
  /** Runs fn on a later event-loop turn; default setImmediate. */
  nextTurn?: (fn: () => void) => void;
}

/**
 * Writes complete buckets a chunk of series per event-loop turn, so a site of thousands of EVSEs
 * never holds the loop for the whole minute's write. The first chunk is written at once (a site
 * of up to chunkRows series is written in the turn that closed its minute, as before).
 *
 * Each chunk is one transaction holding both upserts of its series (the minute row and its
 * quarter's), so whatever a crash interrupts, every stored series' quarter still equals its
 * minutes; the series not yet written are lost with the process, as the minute in progress is.
 * A restart within the minute merges into what is stored (the repository's upsert).
 */
export class BucketWriteQueue {
  private readonly chunkRows: number;
  private readonly nextTurn: (fn: () => void) => void;
  /** Buckets in write order; the first is being written from `done` on. */
  private readonly queue: Array<{ startMs: number; rows: readonly PowerBucketRow[]; done: number }> = [];
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: BucketWriteQueueDeps) {
    this.chunkRows = deps.chunkRows ?? DEFAULT_CHUNK_ROWS;
    if (!(this.chunkRows >= 1)) throw new Error(`chunkRows must be at least 1, got ${this.chunkRows}`);
    this.nextTurn = deps.nextTurn ?? ((fn) => setImmediate(fn));
  }

  /** Queues a bucket and writes its first chunk now. */
  push(startMs: number, rows: readonly PowerBucketRow[]): void {
    if (rows.length === 0) return;
    this.queue.push({ startMs, rows, done: 0 });
    if (!this.scheduled) this.writeChunk();
  }

  /** Rows queued and not yet stored, oldest bucket first (for reads of the recent past). */
  unstored(): UnstoredBucket[] {
    return this.queue.map((b) => ({ startMs: b.startMs, rows: b.done === 0 ? b.rows : b.rows.slice(b.done) }));
  }

  /** Writes everything queued now, in this turn (on stop, before the database closes). */
  drain(): void {
    while (this.queue.length > 0) this.writeOne();
    this.settle();
  }

  /** Resolves when nothing is queued (tests and benchmarks wait on it). */
  idle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private writeChunk(): void {
    this.scheduled = false;
    if (this.queue.length > 0) this.writeOne();
    if (this.queue.length > 0) {
      this.scheduled = true;
      this.nextTurn(() => this.writeChunk());
    } else {
      this.settle();
    }
  }

  private writeOne(): void {
    const bucket = this.queue[0];
    if (!bucket) return;
    const end = Math.min(bucket.rows.length, bucket.done + this.chunkRows);
    const chunk = bucket.done === 0 && end === bucket.rows.length ? bucket.rows : bucket.rows.slice(bucket.done, end);
    bucket.done = end;
    if (end === bucket.rows.length) this.queue.shift();
    try {
      this.deps.sink.writeBucket(bucket.startMs, chunk);
    } catch (err) {
      this.deps.log.error({ err, startMs: bucket.startMs, series: chunk.length }, 'power history: writing a bucket failed; those series lose that minute');
    }
  }

  private settle(): void {
    if (this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
