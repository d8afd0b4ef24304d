import type Database from 'better-sqlite3';
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S, PowerHistoryRepo } from './power-history-repo.js';

export interface RetentionRepoDeps {
  db: Database.Database;
}

/**
 * The deletes of retention, each a bounded batch in its own short transaction (the caller loops
 * until a batch comes back short). Only ended transactions' data is touched; the outbox is read
 * (its oldest row) and never written here.
 */
export class RetentionRepo {
  private readonly oldestOutbox: Database.Statement<[], { createdMs: number | null }>;
  private readonly messageLog: Database.Statement<[number, number]>;
  private readonly samples: Database.Statement<[number, number]>;
  private readonly events: Database.Statement<[number, number]>;
  private readonly transactions: Database.Statement<[number, number]>;
  private readonly powerHistory: PowerHistoryRepo;

  constructor(deps: RetentionRepoDeps) {
    const db = deps.db;
    this.powerHistory = new PowerHistoryRepo({ db });
    this.oldestOutbox = db.prepare('SELECT MIN(created_ms) AS createdMs FROM outbox');
    this.messageLog = db.prepare('DELETE FROM message_log WHERE id IN (SELECT id FROM message_log WHERE time_ms < ? LIMIT ?)');
    const endedBefore = `FROM transactions t JOIN %T x ON x.station_id = t.station_id AND x.transaction_id = t.transaction_id
      WHERE t.status = 'Ended' AND t.ended_ms < ?`;
    // Samples hang off their event (key event_id, mv_index, sv_index).
    this.samples = db.prepare(
      `DELETE FROM meter_samples WHERE (event_id, mv_index, sv_index) IN (
         SELECT m.event_id, m.mv_index, m.sv_index
         FROM transactions t JOIN transaction_events e ON e.station_id = t.station_id AND e.transaction_id = t.transaction_id
           JOIN meter_samples m ON m.event_id = e.id
         WHERE t.status = 'Ended' AND t.ended_ms < ? LIMIT ?)`,
    );
    // Deleting an event deletes its samples (foreign key, ON DELETE CASCADE).
    this.events = db.prepare(`DELETE FROM transaction_events WHERE id IN (SELECT x.id ${endedBefore.replace('%T', 'transaction_events')} LIMIT ?)`);
    this.transactions = db.prepare(
      `DELETE FROM transactions WHERE rowid IN (SELECT rowid FROM transactions WHERE status = 'Ended' AND ended_ms < ? LIMIT ?)`,
    );
  }

  /** Creation time of the oldest message not yet delivered upstream; undefined when none waits. */
  oldestUndeliveredMs(): number | undefined {
    return this.oldestOutbox.get()?.createdMs ?? undefined;
  }

  /** Message-log rows stamped before cutoffMs, at most `limit`; how many went. */
  deleteMessageLog(cutoffMs: number, limit: number): number {
    return this.messageLog.run(cutoffMs, limit).changes;
  }

  /** Meter samples of transactions that ended before cutoffMs, at most `limit`. */
  deleteMeterSamples(cutoffMs: number, limit: number): number {
    return this.samples.run(cutoffMs, limit).changes;
  }

  /** Events (and whatever samples they still have) of transactions that ended before cutoffMs, at most `limit` events. */
  deleteTransactionEvents(cutoffMs: number, limit: number): number {
    return this.events.run(cutoffMs, limit).changes;
  }

  /** Power-history rows older than their cutoff (1-minute and 15-minute buckets), at most `limit`. */
  deletePowerHistory(cutoffs: { fineMs: number; coarseMs: number }, limit: number): number {
    const fine = this.powerHistory.deleteBefore(FINE_RESOLUTION_S, cutoffs.fineMs, limit);
    if (fine === limit) return fine;
    return fine + this.powerHistory.deleteBefore(COARSE_RESOLUTION_S, cutoffs.coarseMs, limit - fine);
  }

  /** Transactions that ended before cutoffMs (with their events and samples), at most `limit`. */
  deleteTransactions(cutoffMs: number, limit: number): number {
    return this.transactions.run(cutoffMs, limit).changes;
  }
}
