import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';

export interface OutboxRepoDeps {
  db: Database.Database;
  clock: Clock;
}

/**
 * How much a message matters when the outbox must shed rows:
 * - billing: transaction events and their meter values, security events: kept longest;
 * - periodic: data that a later message supersedes (periodic meter values, status): dropped first;
 * - other: everything else.
 */
export type OutboxKind = 'billing' | 'periodic' | 'other';

export interface OutboxEntry {
  /** Position in the outbox: increases with every append, never reused (even after deletes). */
  seq: number;
  /** The upstream link the message is for (a station id in proxy mode, the site in hub mode). */
  link: string;
  action: string;
  payload: unknown;
  kind: OutboxKind;
  createdMs: number;
}

/** Rows deleted by trim(), per kind. */
export interface TrimResult {
  periodic: number;
  other: number;
  billing: number;
}

interface OutboxRow {
  seq: number;
  link: string;
  action: string;
  payload_json: string;
  kind: OutboxKind;
  created_ms: number;
}

/** Shedding order of trim(): the first kind goes first. */
const TRIM_ORDER: readonly OutboxKind[] = ['periodic', 'other', 'billing'];

/**
 * Messages for upstream links, written before the station is answered and replayed in seq
 * order once the link is up. A message leaves the outbox only when acknowledged (ack) or shed
 * by the size bound (trim).
 */
export class OutboxRepo {
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly insert: Database.Statement<[string, string, string, OutboxKind, number]>;
  private readonly selectOldest: Database.Statement<[string, number], OutboxRow>;
  private readonly deleteOne: Database.Statement<[number]>;

  constructor(deps: OutboxRepoDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.insert = this.db.prepare(
      'INSERT INTO outbox (link, action, payload_json, kind, created_ms) VALUES (?, ?, ?, ?, ?)',
    );
    this.selectOldest = this.db.prepare('SELECT * FROM outbox WHERE link = ? ORDER BY seq LIMIT ?');
    this.deleteOne = this.db.prepare('DELETE FROM outbox WHERE seq = ?');
  }

  /** Queues a message for the link; durable when it returns. */
  append(link: string, action: string, payload: unknown, options: { kind: OutboxKind }): OutboxEntry {
    const createdMs = this.clock.nowMs();
    const result = this.insert.run(link, action, JSON.stringify(payload ?? null), options.kind, createdMs);
    return { seq: Number(result.lastInsertRowid), link, action, payload, kind: options.kind, createdMs };
  }

  /** The link's oldest `limit` messages, oldest first, without removing them. */
  peek(link: string, limit: number): OutboxEntry[] {
    return this.selectOldest.all(link, Math.max(0, Math.floor(limit))).map(toEntry);
  }

  /** Whether the link has TransactionEvents waiting (for one transactionId, when given). */
  hasTransactionEvents(link: string, transactionId?: string): boolean {
    const row =
      transactionId === undefined
        ? this.db.prepare<[string], { n: number }>("SELECT 1 AS n FROM outbox WHERE link = ? AND action = 'TransactionEvent' LIMIT 1").get(link)
        : this.db
            .prepare<[string, string], { n: number }>(
              "SELECT 1 AS n FROM outbox WHERE link = ? AND action = 'TransactionEvent' AND json_extract(payload_json, '$.transactionInfo.transactionId') = ? LIMIT 1",
            )
            .get(link, transactionId);
    return row !== undefined;
  }

  /** Removes a delivered message; false when it was not there (already acked or trimmed). */
  ack(seq: number): boolean {
    return this.deleteOne.run(seq).changes > 0;
  }

  /** Messages waiting, for one link or in all. */
  count(link?: string): number {
    const row =
      link === undefined
        ? this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get()
        : this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE link = ?').get(link);
    return row?.n ?? 0;
  }

  /**
   * Bounds the outbox to maxRows rows over all links by deleting the excess: the oldest
   * 'periodic' rows first, then the oldest 'other' rows, and 'billing' rows only when nothing
   * else is left to delete. Losing billing data is worse than losing a periodic reading, but
   * an unbounded outbox would eventually fill the disk and lose everything; callers should log
   * an error when the result reports billing rows deleted.
   */
  trim(maxRows: number): TrimResult {
    const bound = Math.max(0, Math.floor(maxRows));
    return this.db
      .transaction((): TrimResult => {
        const deleted: TrimResult = { periodic: 0, other: 0, billing: 0 };
        let excess = this.count() - bound;
        for (const kind of TRIM_ORDER) {
          if (excess <= 0) break;
          const n = this.db
            .prepare<[OutboxKind, OutboxKind, number]>(
              'DELETE FROM outbox WHERE kind = ? AND seq IN (SELECT seq FROM outbox WHERE kind = ? ORDER BY seq LIMIT ?)',
            )
            .run(kind, kind, excess).changes;
          deleted[kind] = n;
          excess -= n;
        }
        return deleted;
      })
      .immediate();
  }
}

function toEntry(row: OutboxRow): OutboxEntry {
  const payload: unknown = JSON.parse(row.payload_json);
  return {
    seq: row.seq,
    link: row.link,
    action: row.action,
    payload,
    kind: row.kind,
    createdMs: row.created_ms,
  };
}
