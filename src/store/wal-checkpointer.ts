import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/** SQLite's own default: an automatic checkpoint once the log holds this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The connection's own automatic checkpoint while the worker runs, pages (about 16 MiB of log
 * with 4 KiB pages). The worker's PASSIVE checkpoints copy the log beside the writer, but the
 * log only starts over when a checkpoint has copied all of it before the next write; a writer
 * that commits during every checkpoint (a busy site, a back-to-back stream) never lets that
 * happen, and the log grew without bound (hundreds of MB in seconds). At this size the
 * connection checkpoints in its own COMMIT, as SQLite does by default at 1,000 pages: that one
 * copies all of the log (nothing else writes meanwhile; most of it is copied already) and the
 * next write starts the log over.
 */
const BACKSTOP_PAGES = 4096;

export interface WalCheckpointerOptions {
  /** A checkpoint is asked for after this many commits of the group commit. */
  everyCommits?: number;
  /** And at this interval when anything changed since the last one (writes outside batches), ms. */
  intervalMs?: number;
  busyTimeoutMs?: number;
  /**
   * The connection's own automatic checkpoint stays on at this log size, pages (default
   * BACKSTOP_PAGES; 0: off, the log left to the worker alone, only for tests showing why not).
   */
  backstopPages?: number;
  /** Told when the worker failed: the connection checkpoints on its own again. */
  onFailure?: (err: unknown) => void;
  /** The module the worker loads as better-sqlite3 (tests: one that fails, to see the fallback). */
  sqliteModule?: string;
  /** Told after each checkpoint (tests). */
  onCheckpointed?: (result: CheckpointResult) => void;
}

/** Result of one checkpoint (SQLite's wal_checkpoint row). */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/*
 * The worker: its own connection to the same file, a PASSIVE checkpoint per request. CommonJS
 * source evaluated in the worker (no file of its own to build or to find from the sources).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const closed = new Int32Array(workerData.closed);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, row });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
`;

/** How long closing waits for the worker to close its connection (it may be in a checkpoint), ms. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Checkpoints a WAL database from a worker thread instead of in the commit that crosses SQLite's
 * threshold. SQLite's automatic checkpoint runs inside that COMMIT, on the calling thread: it
 * syncs the log, copies the pages into the database file and syncs that, which here is the
 * event loop, once every ~1,000 log pages (in proxy mode about one forwarded call in a hundred,
 * stalled for 1-30 ms with every station). The connection's automatic checkpoint is moved up to
 * a backstop (BACKSTOP_PAGES), and a PASSIVE checkpoint runs on a second connection in a worker
 * after every `everyCommits` commits and, when anything changed, every `intervalMs`. A PASSIVE checkpoint
 * never blocks the writer (WAL: one writer, readers and one checkpointer run side by side) and
 * copies only what is committed; SQLite keeps it crash-safe across connections. When the worker
 * cannot start or fails, the connection's automatic checkpoint goes back to SQLite's default.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly everyCommits: number;
  private commitsSince = 0;
  private running = false;
  private again = false;
  private closed = false;
  private failed = false;
  private changesAtLast: number;
  private readonly totalChangesSql: Database.Statement<[], number>;
  private readonly timer: NodeJS.Timeout;
  /** Callers of checkpoint() waiting for the running checkpoint, and for the one queued behind it. */
  private waiters: Array<(r: CheckpointResult | undefined) => void> = [];
  private queuedWaiters: Array<(r: CheckpointResult | undefined) => void> = [];
  /** Set to 1 by the worker once its connection is closed. */
  private readonly workerClosed = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: WalCheckpointerOptions = {},
  ) {
    this.everyCommits = options.everyCommits ?? 100;
    this.totalChangesSql = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.changesAtLast = this.totalChanges();
    const sqlite = options.sqliteModule ?? createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 }, workerData: { sqlite, path: resolve(db.name), busyTimeoutMs: options.busyTimeoutMs ?? 5000, closed: this.workerClosed.buffer } });
    this.worker.unref();
    this.worker.on('message', (m: { ok: boolean; row?: CheckpointResult; error?: string }) => this.onDone(m.ok ? m.row : undefined, m.ok ? undefined : new Error(m.error)));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`checkpoint worker exited with code ${code}`));
    });
    db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(options.backstopPages ?? BACKSTOP_PAGES))}`);
    this.timer = setInterval(() => {
      if (this.totalChanges() !== this.changesAtLast) this.request();
    }, options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Counts a commit; asks for a checkpoint every `everyCommits`. */
  committed(): void {
    try {
      if (++this.commitsSince >= this.everyCommits) this.request();
    } catch (err) {
      this.fail(err); // back to SQLite's own checkpoint, reported once
    }
  }

  /** Asks for a checkpoint now (one runs at a time; asked while one runs, another follows it). Resolves with its result, undefined after a failure. */
  checkpoint(): Promise<CheckpointResult | undefined> {
    const done = new Promise<CheckpointResult | undefined>((r) => (this.running ? this.queuedWaiters : this.waiters).push(r));
    this.request();
    return done;
  }

  /**
   * Stops the worker and waits (blocking, at most CLOSE_WAIT_MS) until its connection is closed,
   * so that the caller's connection closes last and, as before, checkpoints and removes the log.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (!this.failed) {
      this.worker.postMessage('close');
      Atomics.wait(this.workerClosed, 0, 0, CLOSE_WAIT_MS);
    }
    this.settleWaiters(undefined);
  }

  private request(): void {
    if (this.closed || this.failed) {
      this.settleWaiters(undefined);
      return;
    }
    this.commitsSince = 0;
    this.changesAtLast = this.totalChanges();
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.worker.postMessage('checkpoint');
  }

  private onDone(row: CheckpointResult | undefined, err: Error | undefined): void {
    this.running = false;
    if (err) {
      this.fail(err);
      return;
    }
    if (row) this.options.onCheckpointed?.(row);
    const waiters = this.waiters;
    this.waiters = this.queuedWaiters;
    this.queuedWaiters = [];
    for (const w of waiters) w(row);
    if (this.again) {
      this.again = false;
      this.request();
    }
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.running = false;
    clearInterval(this.timer);
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    this.settleWaiters(undefined);
    if (!this.closed) {
      void this.worker.terminate();
      this.options.onFailure?.(err);
    }
  }

  private settleWaiters(row: CheckpointResult | undefined): void {
    const waiters = [...this.waiters, ...this.queuedWaiters];
    this.waiters = [];
    this.queuedWaiters = [];
    for (const w of waiters) w(row);
  }

  private totalChanges(): number {
    return this.db.open ? (this.totalChangesSql.get() ?? 0) : this.changesAtLast;
  }
}
