import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SqliteDatabase } from './database.js';
import { Statements } from './statements.js';

export interface GroupCommitOptions {
  /**
   * Makes the write-ahead log durable (fdatasync), after a relaxed commit that turned out to
   * carry writes someone may rely on. Default: the database file's `-wal`. Tests count calls.
   */
  syncLog?: () => void;
}

/**
 * Group commit: the writes made while handling the messages of one event-loop turn share one
 * SQLite transaction, committed (one fsync with synchronous=FULL) at the end of the turn.
 * Whoever answers a station waits on `barrier()` first, so an answer still never leaves before
 * what it acknowledges is on disk; a crash loses only unanswered messages.
 *
 * Bookkeeping that no answer depends on (e.g. "the CSMS acknowledged outbox row N") is written
 * with `lazily()`: it joins the turn's batch and is visible at once on this connection, but a
 * barrier does not wait for it. A batch that only holds such writes is committed at the end of
 * the turn without an fsync (synchronous=NORMAL for that commit: in the OS's hands, so it
 * survives a crash of the process, and on disk with the next fsync'd commit, which syncs the
 * whole log); a power cut before that undoes it as a whole (the outbox row is sent again). Any
 * other write in the batch (seen by SQLite's total_changes()), or a begin(), makes barriers
 * wait again and the commit durable (the log is synced right after it).
 *
 * Writes made outside a batch autocommit as before. Repositories' own `db.transaction()` calls
 * nest inside a batch as savepoints.
 */
export class GroupCommit {
  private open = false;
  /** Whether barriers wait for the open batch: it holds writes other than lazily() ones. */
  private awaited = false;
  /** total_changes() after the last lazily() write of the open batch (when not awaited). */
  private lazyMark = 0;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private commits = 0;
  /** The open batch was opened by lazily() with synchronous=NORMAL. */
  private relaxed = false;
  /** Only a file database in WAL mode commits relaxed (a later fsync of the log covers it). */
  private readonly mayRelax: boolean;
  private readonly sql: Statements;
  private readonly syncLog: () => void;
  /** Test seam (see gateCommits): each scheduled commit waits for it. */
  private gate: (() => Promise<void>) | undefined;
  /** Batches opened so far: a gated commit commits only the batch it was scheduled for. */
  private generation = 0;
  private readonly rollbackListeners: Array<() => void> = [];

  constructor(
    private readonly db: SqliteDatabase,
    options: GroupCommitOptions = {},
  ) {
    this.sql = new Statements(db);
    this.mayRelax = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    const walPath = `${resolve(db.name)}-wal`;
    this.syncLog = options.syncLog ?? (() => syncFile(walPath));
  }

  /** Opens a batch for this turn unless one is open (or another transaction is running). */
  begin(): void {
    if (this.open) {
      this.awaited = true;
      return;
    }
    if (!this.openBatch(false)) return;
    this.awaited = true;
  }

  /**
   * Runs fn in one SQLite transaction (a savepoint of this turn's batch, opened if needed) whose
   * commit nobody waits for: durable after the turn's commit, undone as a whole by a crash
   * before it. Only for writes whose loss leads to a detectable repeat, never to a lost answer.
   */
  lazily<T>(fn: () => T): T {
    if (!this.open) {
      if (this.openBatch(this.mayRelax)) this.lazyMark = this.totalChanges();
    } else if (!this.awaited && this.totalChanges() !== this.lazyMark) {
      this.awaited = true;
    }
    const result = this.db.transaction(fn)();
    if (this.open && !this.awaited) this.lazyMark = this.totalChanges();
    return result;
  }

  /**
   * Resolves once everything written so far is committed; rejects if that commit failed. Writes
   * made with lazily() are not waited for.
   */
  barrier(): Promise<void> {
    if (!this.open) return Promise.resolve();
    if (!this.awaited && this.totalChanges() === this.lazyMark) return Promise.resolve();
    this.awaited = true;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
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

  /** Calls fn after a batch's commit failed and its writes were rolled back (caches of them must forget). */
  onRollback(fn: () => void): void {
    this.rollbackListeners.push(fn);
  }

  /** Batches committed so far (for tests and benchmarks). */
  get commitCount(): number {
    return this.commits;
  }

  /** Commits the open batch now (also used before closing the database). */
  commit(): void {
    this.commitWith(undefined);
  }

  private commitWith(failure: { err: unknown } | undefined): void {
    if (!this.open) return;
    const { relaxed, awaited } = this;
    this.open = false;
    this.awaited = false;
    this.relaxed = false;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      const mustSync = relaxed && (awaited || this.totalChanges() !== this.lazyMark);
      if (failure) throw failure.err;
      this.db.exec('COMMIT');
      if (mustSync) this.syncLog();
      this.commits++;
      for (const w of waiters) w.resolve();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the rollback error adds nothing to the commit error
      }
      for (const fn of this.rollbackListeners) fn();
      for (const w of waiters) w.reject(err);
    } finally {
      if (relaxed && this.db.open) this.setSynchronous('FULL');
    }
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
    const generation = ++this.generation;
    const gate = this.gate;
    setImmediate(() => {
      if (!gate) return this.commit();
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
    this.sql.prepare(`PRAGMA synchronous = ${level}`).run();
  }

  /** Rows changed on this connection since it opened (SQLite's total_changes()). */
  private totalChanges(): number {
    return this.sql.prepare<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
