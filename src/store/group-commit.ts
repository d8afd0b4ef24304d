import type { SqliteDatabase } from './database.js';
import { Statements } from './statements.js';

/**
 * Group commit: the writes made while handling the messages of one event-loop turn share one
 * SQLite transaction, committed (one fsync with synchronous=FULL) at the end of the turn.
 * Whoever answers a station waits on `barrier()` first, so an answer still never leaves before
 * what it acknowledges is on disk; a crash loses only unanswered messages.
 *
 * Bookkeeping that no answer depends on (e.g. "the CSMS acknowledged outbox row N") is written
 * with `lazily()`: it joins the turn's batch and is visible at once on this connection, but a
 * barrier does not wait for it; it is on disk after the turn's commit. A crash before that
 * commit undoes it as a whole (the outbox row is sent again). Any other write in the batch
 * (seen by SQLite's total_changes()) makes barriers wait again.
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
  private readonly sql: Statements;

  constructor(private readonly db: SqliteDatabase) {
    this.sql = new Statements(db);
  }

  /** Opens a batch for this turn unless one is open (or another transaction is running). */
  begin(): void {
    if (this.open) {
      this.awaited = true;
      return;
    }
    if (!this.openBatch()) return;
    this.awaited = true;
  }

  /**
   * Runs fn in one SQLite transaction (a savepoint of this turn's batch, opened if needed) whose
   * commit nobody waits for: durable after the turn's commit, undone as a whole by a crash
   * before it. Only for writes whose loss leads to a detectable repeat, never to a lost answer.
   */
  lazily<T>(fn: () => T): T {
    if (!this.open) {
      if (this.openBatch()) this.lazyMark = this.totalChanges();
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

  /** Batches committed so far (for tests and benchmarks). */
  get commitCount(): number {
    return this.commits;
  }

  /** Commits the open batch now (also used before closing the database). */
  commit(): void {
    if (!this.open) return;
    this.open = false;
    this.awaited = false;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      this.db.exec('COMMIT');
      this.commits++;
      for (const w of waiters) w.resolve();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the rollback error adds nothing to the commit error
      }
      for (const w of waiters) w.reject(err);
    }
  }

  private openBatch(): boolean {
    if (this.db.inTransaction || !this.db.open) return false;
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
    this.awaited = false;
    setImmediate(() => this.commit());
    return true;
  }

  /** Rows changed on this connection since it opened (SQLite's total_changes()). */
  private totalChanges(): number {
    return this.sql.prepare<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
  }
}
