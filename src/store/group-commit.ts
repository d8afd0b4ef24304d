import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import { runInTransaction } from './run-in-transaction.js';
import { Statements } from './statements.js';
import { WalFileSync } from './wal-file-sync.js';

export interface GroupCommitOptions {
  /**
   * Makes the write-ahead log durable (fdatasync) off the event loop, after a commit that carries
   * writes someone waits for. Default: the database file's `-wal` through the libuv thread pool.
   * Tests count calls and hold or fail it.
   */
  syncLog?: () => Promise<void>;
  /** The same, on the event loop: used when the store closes. Default: fdatasync of the `-wal`. */
  syncLogNow?: () => void;
}

/**
 * Group commit: the writes made while handling the messages of one event-loop turn share one
 * SQLite transaction, committed at the end of the turn. Whoever answers a station waits on
 * `barrier()` first, so an answer never leaves before what it acknowledges is on disk; a crash
 * or a power cut loses only unanswered messages. (The one exception waits on `written()`, the
 * commit without its sync, and provides for the loss itself: proxy/commit-overlap.ts.)
 *
 * How a batch reaches the disk (file database in WAL mode): the batch commits with
 * synchronous=NORMAL (the log is written, not synced), then the log file is synced with
 * fdatasync in the thread pool, and barriers resolve when that sync returns. That is what
 * synchronous=FULL does inside COMMIT (sync the log after each commit), moved off the event loop,
 * so other stations' messages are handled while the disk works. Syncs never overlap: commits
 * made while one runs share the next one (at most one running and one queued). A failed sync
 * rejects the barriers it covers (the station gets no answer and sends again; what is committed
 * stays, and the next sync makes it durable). Checkpoints keep their own syncs (SQLite).
 *
 * Bookkeeping that no answer depends on (e.g. "the CSMS acknowledged outbox row N") is written
 * with `lazily()`: it joins the turn's batch and is visible at once on this connection, but a
 * barrier does not wait for it, and a batch that only holds such writes is not synced at all
 * (in the OS's hands, so it survives a crash of the process; on disk with the next sync; a
 * power cut before that undoes it as a whole and the outbox row is sent again). Any other write
 * in the batch (seen by SQLite's total_changes()), or a begin(), makes barriers wait again. The
 * log is synced after the commit when the batch holds such a write. A batch a handler began
 * that wrote nothing else (a relayed Authorize, a Heartbeat) commits without a sync of its own:
 * its barriers resolve once it committed, or, while an earlier batch's sync is pending (a
 * barrier covers everything written before it), with that sync, which covers every write
 * committed before it. (It used to queue one more sync behind the pending one: an fsync and a
 * thread-pool wake-up per relayed call that carried nothing.)
 *
 * Writes made outside a batch autocommit with synchronous=FULL as before. Repositories' own
 * `db.transaction()` calls nest inside a batch as savepoints. An in-memory or non-WAL database
 * commits with SQLite's own synchronous setting and releases barriers at once.
 */
export class GroupCommit {
  private open = false;
  /** Whether barriers wait for the open batch (begin(), or a barrier asked while it held other than lazily() writes). */
  private awaited = false;
  /** total_changes() when the open batch began. */
  private openedChanges = 0;
  /** Rows the open batch's lazily() writes changed (total_changes() counts them too). */
  private lazyChanges = 0;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  /** Waiting for the open batch's COMMIT only (written()), not for its sync. */
  private writtenWaiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private commits = 0;
  /** The open batch was opened by lazily() with synchronous=NORMAL. */
  private relaxed = false;
  /** Only a file database in WAL mode commits relaxed (a later fsync of the log covers it). */
  private readonly mayRelax: boolean;
  /** SELECT total_changes(), plucked: a number, no row object per read. */
  private readonly totalChangesSql: Database.Statement<[], number>;
  private readonly sql: Statements;
  private readonly syncLog: () => Promise<void>;
  private readonly syncLogNow: () => void;
  private readonly walFile: WalFileSync;
  /** The running sync of the log, and the one queued behind it (covers commits made meanwhile). */
  private syncRunning: Promise<void> | undefined;
  private syncQueued: Promise<void> | undefined;
  /** Settles when every batch committed so far that needs it is synced (undefined: nothing pending). */
  private durable: Promise<void> | undefined;
  /** Test seam (see gateCommits): each scheduled commit waits for it. */
  private gate: (() => Promise<void>) | undefined;
  /** Test seam (see gateSyncs): each sync of the log waits for it before it runs. */
  private syncGate: (() => Promise<void>) | undefined;
  /** Batches opened so far: a gated commit commits only the batch it was scheduled for. */
  private generation = 0;
  private readonly rollbackListeners: Array<() => void> = [];
  private readonly commitListeners: Array<() => void> = [];
  /** close() ran: everything committed was synced on the event loop. */
  private closed = false;

  constructor(
    private readonly db: SqliteDatabase,
    options: GroupCommitOptions = {},
  ) {
    this.totalChangesSql = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.sql = new Statements(db);
    this.mayRelax = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    const walPath = `${resolve(db.name)}-wal`;
    const wal = new WalFileSync(walPath);
    this.walFile = wal;
    this.syncLog = options.syncLog ?? (() => wal.sync());
    this.syncLogNow = options.syncLogNow ?? (() => wal.syncNow());
  }

  /**
   * Commits the open batch and makes everything committed durable on return; for the store's
   * close. A background sync still running or queued is covered by a sync on the event loop
   * here: its barriers resolve (whatever it returns later), a queued one never starts, and the
   * log's descriptor is closed only once the running one has returned (never under it).
   */
  close(): void {
    if (this.closed) return;
    this.commit();
    if (this.syncRunning || this.syncQueued) this.syncLogNow();
    this.closed = true;
    const running = this.syncRunning;
    if (!running) {
      this.walFile.close();
      return;
    }
    const closeFile = () => this.walFile.close();
    running.then(closeFile, closeFile);
  }

  /** Opens a batch for this turn unless one is open (or another transaction is running). */
  begin(): void {
    if (this.open) {
      this.awaited = true;
      return;
    }
    if (!this.openBatch(this.mayRelax)) return;
    this.awaited = true;
  }

  /**
   * Runs fn in one SQLite transaction (a savepoint of this turn's batch, opened if needed) whose
   * commit nobody waits for: durable after the turn's commit, undone as a whole by a crash
   * before it. Only for writes whose loss leads to a detectable repeat, never to a lost answer.
   */
  lazily<T>(fn: () => T): T {
    if (!this.open) this.openBatch(this.mayRelax);
    if (!this.open) return runInTransaction(this.db, fn);
    const before = this.totalChanges();
    const result = runInTransaction(this.db, fn);
    this.lazyChanges += this.totalChanges() - before;
    return result;
  }

  /**
   * Resolves once everything written so far is committed; rejects if that commit failed. Writes
   * made with lazily() are not waited for.
   */
  barrier(): Promise<void> {
    return this.pendingBarrier() ?? Promise.resolve();
  }

  /**
   * barrier(), or undefined when there is nothing to wait for (barrier() would resolve at once):
   * no promise and no turn of the microtask queue for a caller that only needs to know.
   */
  pendingBarrier(): Promise<void> | undefined {
    // What the caller wrote may sit in a batch already committed whose sync still runs.
    if (!this.open) return this.durable;
    if (!this.awaited && this.eagerChanges() === 0) return this.durable;
    this.awaited = true;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /**
   * Resolves once everything written so far is committed to the log, without waiting for the
   * log's sync: in the operating system's hands, so it survives a crash of the process but not
   * a power cut or a crash of the system before the sync (barrier() waits for that). Rejects if
   * that commit failed (rolled back). For answers whose loss in a power cut the caller has
   * provided for (proxy/commit-overlap.ts).
   */
  written(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve, reject) => this.writtenWaiters.push({ resolve, reject }));
  }

  /**
   * Test seam: the end-of-turn commit of each batch opened from now on waits for `gate()` (a
   * slow fsync, as seen from the event loop); a rejected gate fails that commit as a SQLite
   * error would (rolled back, barriers rejected). While it waits the batch stays open and later
   * writes join it. `undefined` restores the normal commit. Never used by the hub itself.
   */
  gateCommits(gate: (() => Promise<void>) | undefined): void {
    this.gate = gate;
  }

  /**
   * Test seam: each background sync of the log started from now on waits for `gate()` before it
   * runs (a slow fsync, with the commit already written); a rejected gate fails that sync as a
   * failed fsync would. `undefined` restores the normal sync. Never used by the hub itself.
   */
  gateSyncs(gate: (() => Promise<void>) | undefined): void {
    this.syncGate = gate;
  }

  /** Calls fn after a batch's commit failed and its writes were rolled back (caches of them must forget). */
  onRollback(fn: () => void): void {
    this.rollbackListeners.push(fn);
  }

  /** Calls fn after each batch's COMMIT (the background checkpoint counts them: wal-checkpointer.ts); what fn throws is ignored. */
  onCommit(fn: () => void): void {
    this.commitListeners.push(fn);
  }

  /** Batches committed so far (for tests and benchmarks). */
  get commitCount(): number {
    return this.commits;
  }

  /**
   * Commits the open batch now and makes it durable on the event loop (used before closing the
   * database).
   */
  commit(): void {
    this.commitWith(undefined, true);
  }

  private commitWith(failure: { err: unknown } | undefined, now = false): void {
    if (!this.open) return;
    const { relaxed, awaited } = this;
    this.open = false;
    this.awaited = false;
    this.relaxed = false;
    const waiters = this.waiters;
    this.waiters = [];
    const written = this.writtenWaiters;
    this.writtenWaiters = [];
    let committed = false;
    try {
      // A sync covers the batch's own writes. A batch without any (a relayed Authorize, a
      // Heartbeat) starts none: its waiters wait for the sync still pending, the last one
      // requested, which covers every write committed before it (a write committed after a sync
      // started requested the one queued behind it). Closing syncs on the event loop instead.
      const ownWrites = relaxed && this.eagerChanges() > 0;
      const pending = relaxed && awaited ? this.durable : undefined;
      if (failure) throw failure.err;
      this.db.exec('COMMIT');
      this.commits++;
      committed = true;
      for (const w of written) w.resolve();
      if (now && (ownWrites || pending)) {
        this.syncLogNow();
      } else {
        const synced = ownWrites ? this.requestSync() : pending;
        if (synced) {
          if (waiters.length > 0) {
            synced.then(
              () => settleAll(waiters, undefined),
              (err: unknown) => settleAll(waiters, { err }),
            );
          }
          return;
        }
      }
      for (const w of waiters) w.resolve();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the rollback error adds nothing to the commit error
      }
      for (const fn of this.rollbackListeners) fn();
      for (const w of waiters) w.reject(err);
      for (const w of written) w.reject(err);
    } finally {
      if (relaxed && this.db.open) this.setSynchronous('FULL');
      if (committed) this.notifyCommitted();
    }
  }

  /**
   * Tells the commit listeners, after the batch is committed and its waiters are settled or
   * scheduled: whatever a listener does, the batch stays committed and is never treated as rolled
   * back (a listener reports its own failures).
   */
  private notifyCommitted(): void {
    for (const fn of this.commitListeners) {
      try {
        fn();
      } catch {
        // the listener's own failure; the commit stands
      }
    }
  }

  /**
   * A sync of the log that starts after every commit made so far: a new one when none runs,
   * otherwise the one queued behind the running sync (shared by every commit made meanwhile).
   */
  private requestSync(): Promise<void> {
    let synced: Promise<void>;
    if (!this.syncRunning) {
      synced = this.startSync();
    } else {
      this.syncQueued ??= this.syncRunning.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        this.syncQueued = undefined;
        return this.startSync();
      });
      synced = this.syncQueued;
    }
    // then() with both callbacks rather than finally(): one promise instead of three per sync.
    const durable: Promise<void> = synced.then(
      () => {
        if (this.durable === durable) this.durable = undefined;
      },
      (err: unknown) => {
        if (this.durable === durable) this.durable = undefined;
        throw err;
      },
    );
    durable.catch(ignore); // rejections reach the barriers that wait for them
    this.durable = durable;
    return durable;
  }

  private startSync(): Promise<void> {
    // After close() nothing is left to sync: it synced everything committed on the event loop.
    if (this.closed) return Promise.resolve();
    const gate = this.syncGate;
    const sync = gate ? gate().then(() => this.syncLog()) : this.syncLog();
    const running: Promise<void> = sync.then(
      () => {
        if (this.syncRunning === running) this.syncRunning = undefined;
      },
      (err: unknown) => {
        if (this.syncRunning === running) this.syncRunning = undefined;
        if (!this.closed) throw err;
      },
    );
    this.syncRunning = running;
    return running;
  }

  private openBatch(relaxed: boolean): boolean {
    if (this.db.inTransaction || !this.db.open) return false;
    if (relaxed) this.setSynchronous('NORMAL');
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if (relaxed) this.setSynchronous('FULL'); // never leave the connection relaxed
      throw err;
    }
    this.open = true;
    this.awaited = false;
    this.relaxed = relaxed;
    this.openedChanges = this.totalChanges();
    this.lazyChanges = 0;
    const generation = ++this.generation;
    const gate = this.gate;
    setImmediate(() => {
      if (!gate) return this.commitWith(undefined);
      const settle = (failure: { err: unknown } | undefined) => {
        if (generation === this.generation) this.commitWith(failure);
      };
      gate().then(
        () => settle(undefined),
        (err: unknown) => settle({ err }),
      );
    });
    return true;
  }

  /** The connection's safety level (may not change inside a transaction; FULL is the store's setting, database.ts). */
  private setSynchronous(level: 'FULL' | 'NORMAL'): void {
    // Prepared at first use, not before: SQLite applies this pragma when it compiles it (and
    // compiles it again at every run), so compiling both up front would leave NORMAL set.
    this.sql.prepare(level === 'FULL' ? 'PRAGMA synchronous = FULL' : 'PRAGMA synchronous = NORMAL').run();
  }

  /** Rows the open batch changed outside lazily(). */
  private eagerChanges(): number {
    return this.totalChanges() - this.openedChanges - this.lazyChanges;
  }

  /** Rows changed on this connection since it opened (SQLite's total_changes()). */
  private totalChanges(): number {
    return this.totalChangesSql.get() ?? 0;
  }
}

function ignore(): void {}

/** Resolves the waiters in order, or rejects them all with `failure.err`. */
function settleAll(waiters: ReadonlyArray<{ resolve: () => void; reject: (err: unknown) => void }>, failure: { err: unknown } | undefined): void {
  for (const w of waiters) {
    if (failure) w.reject(failure.err);
    else w.resolve();
  }
}
