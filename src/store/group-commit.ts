import type { SqliteDatabase } from './database.js';

/**
 * Group commit: the writes made while handling the messages of one event-loop turn share one
 * SQLite transaction, committed (one fsync with synchronous=FULL) at the end of the turn.
 * Whoever answers a station waits on `barrier()` first, so an answer still never leaves before
 * what it acknowledges is on disk; a crash loses only unanswered messages.
 *
 * Writes made outside a batch autocommit as before. Repositories' own `db.transaction()` calls
 * nest inside a batch as savepoints.
 */
export class GroupCommit {
  private open = false;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private commits = 0;

  constructor(private readonly db: SqliteDatabase) {}

  /** Opens a batch for this turn unless one is open (or another transaction is running). */
  begin(): void {
    if (this.open || this.db.inTransaction || !this.db.open) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
    setImmediate(() => this.commit());
  }

  /** Resolves once everything written so far is committed; rejects if that commit failed. */
  barrier(): Promise<void> {
    if (!this.open) return Promise.resolve();
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
}
