import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { Statements } from './statements.js';

export interface OutboxRepoDeps {
  db: Database.Database;
  clock: Clock;
}

/**
 * What a message is, for reports and for retention elsewhere (the outbox itself never drops
 * billing or periodic meter data; compaction merges readings, upstream/outbox-compaction.ts):
 * - billing: transaction events and their meter values, security events;
 * - periodic: data that a later message supersedes (periodic meter values, status);
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

/** Size of the outbox: every row in it is undelivered (a delivered row is deleted by ack). */
export interface OutboxStats {
  rows: number;
  /** Bytes of the stored payloads (JSON text), the part that grows with an outage. */
  payloadBytes: number;
  /** created_ms of the oldest undelivered row, undefined when empty. */
  oldestCreatedMs?: number;
}

interface OutboxRow {
  seq: number;
  link: string;
  action: string;
  payload_json: string;
  kind: OutboxKind;
  created_ms: number;
}

/**
 * Messages for upstream links, written before the station is answered and replayed in seq
 * order once the link is up. Every row is undelivered: a message leaves the outbox only when
 * acknowledged (ack, after the CSMS's answer), or when compaction merges it into an earlier row
 * of the same link (rewrite + remove: its content then travels in that row). Retention of old
 * data must never delete rows here.
 */
export class OutboxRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly clock: Clock;
  private readonly insert: Database.Statement<[string, string, string, OutboxKind, number]>;
  private readonly selectOldest: Database.Statement<[string, number], OutboxRow>;
  /** Plucked (a number per row, no row objects): statements of their own, outside `sql`. */
  private readonly selectOldestSeq: Database.Statement<[string], number>;
  private readonly selectNextSeq: Database.Statement<[string, number], number>;
  /** Per link, the seq of the last row append() wrote (see lastAppendedSeq). */
  private readonly lastAppended = new Map<string, number>();
  private rollbacks = 0;
  private readonly selectOne: Database.Statement<[number], OutboxRow>;
  private readonly deleteOne: Database.Statement<[number]>;
  private readonly updatePayload: Database.Statement<[string, number]>;

  constructor(deps: OutboxRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
    this.clock = deps.clock;
    this.insert = this.sql.prepare(
      'INSERT INTO outbox (link, action, payload_json, kind, created_ms) VALUES (?, ?, ?, ?, ?)',
    );
    this.selectOldest = this.sql.prepare('SELECT * FROM outbox WHERE link = ? ORDER BY seq LIMIT ?');
    // Answered from the (link, seq) index alone: no row is read, no payload parsed.
    this.selectOldestSeq = deps.db.prepare<[string], number>('SELECT seq FROM outbox WHERE link = ? ORDER BY seq LIMIT 1').pluck();
    this.selectNextSeq = deps.db.prepare<[string, number], number>('SELECT seq FROM outbox WHERE link = ? AND seq > ? ORDER BY seq LIMIT 1').pluck();
    this.selectOne = this.sql.prepare('SELECT * FROM outbox WHERE seq = ?');
    this.deleteOne = this.sql.prepare('DELETE FROM outbox WHERE seq = ?');
    this.updatePayload = this.sql.prepare('UPDATE outbox SET payload_json = ? WHERE seq = ?');
  }

  /** Queues a message for the link; durable when it returns. */
  append(link: string, action: string, payload: unknown, options: { kind: OutboxKind }): OutboxEntry {
    const createdMs = this.clock.nowMs();
    const result = this.insert.run(link, action, JSON.stringify(payload ?? null), options.kind, createdMs);
    const seq = Number(result.lastInsertRowid);
    this.lastAppended.set(link, seq);
    return { seq, link, action, payload, kind: options.kind, createdMs };
  }

  /**
   * The seq of the last row append() wrote for the link since the repository was opened or
   * forgetAppended() ran, whether or not it is still there; undefined when unknown. Until the
   * next rollback (appendEpoch), every row of the link appended later has a higher seq, so a
   * reader who knows that every row up to some seq >= this one is dealt with knows the whole
   * link without a query.
   */
  lastAppendedSeq(link: string): number | undefined {
    return this.lastAppended.get(link);
  }

  /**
   * Counts the rollbacks told to forgetAppended(). A rollback brings back rows its batch deleted
   * and takes back the seqs its batch appended (SQLite hands them out again), so what a reader
   * knew about a link's rows before it holds no more.
   */
  get appendEpoch(): number {
    return this.rollbacks;
  }

  /** After a rolled-back batch (see appendEpoch). */
  forgetAppended(): void {
    this.lastAppended.clear();
    this.rollbacks++;
  }

  /** The link's oldest `limit` messages, oldest first, without removing them. */
  peek(link: string, limit: number): OutboxEntry[] {
    return this.selectOldest.all(link, Math.max(0, Math.floor(limit))).map(toEntry);
  }

  /**
   * The seq of the link's oldest message, from the index alone (the outbox pump asks for its
   * head on every live message).
   */
  oldestSeq(link: string): number | undefined {
    return this.selectOldestSeq.get(link);
  }

  /** The seq of the link's oldest message after `seq` (one `get` from the index, no array). */
  nextSeqAfter(link: string, seq: number): number | undefined {
    return this.selectNextSeq.get(link, seq);
  }

  /** One message by its seq (undefined when acked or merged away). */
  entry(seq: number): OutboxEntry | undefined {
    const row = this.selectOne.get(seq);
    return row ? toEntry(row) : undefined;
  }

  /** Whether the link has TransactionEvents waiting (for one transactionId, when given). */
  hasTransactionEvents(link: string, transactionId?: string): boolean {
    const row =
      transactionId === undefined
        ? this.sql.prepare<[string], { n: number }>("SELECT 1 AS n FROM outbox WHERE link = ? AND action = 'TransactionEvent' LIMIT 1").get(link)
        : this.sql
            .prepare<[string, string], { n: number }>(
              "SELECT 1 AS n FROM outbox WHERE link = ? AND action = 'TransactionEvent' AND json_extract(payload_json, '$.transactionInfo.transactionId') = ? LIMIT 1",
            )
            .get(link, transactionId);
    return row !== undefined;
  }

  /** Whether the link has a row of this action whose stored payload holds `value` at `jsonPath` (e.g. '$.payload.transactionId'). */
  hasRowWith(link: string, action: string, jsonPath: string, value: string | number): boolean {
    const row = this.sql
      .prepare<[string, string, string, string | number], { n: number }>('SELECT 1 AS n FROM outbox WHERE link = ? AND action = ? AND json_extract(payload_json, ?) = ? LIMIT 1')
      .get(link, action, jsonPath, value);
    return row !== undefined;
  }

  /** Replaces a row's stored payload (e.g. a note in the envelope that it has left once). */
  rewrite(seq: number, payload: unknown): void {
    this.updatePayload.run(JSON.stringify(payload ?? null), seq);
  }

  /** Removes a delivered message; false when it was not there (already acked, or merged away by compaction). */
  ack(seq: number): boolean {
    return this.deleteOne.run(seq).changes > 0;
  }

  /** Messages waiting, for one link or in all. */
  count(link?: string): number {
    const row =
      link === undefined
        ? this.sql.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get()
        : this.sql.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE link = ?').get(link);
    return row?.n ?? 0;
  }

  /** Rows and payload bytes over all links (one pass over the table). */
  stats(): OutboxStats {
    const row = this.sql
      .prepare<[], { n: number; bytes: number | null; oldest: number | null }>(
        'SELECT COUNT(*) AS n, SUM(length(CAST(payload_json AS BLOB))) AS bytes, MIN(created_ms) AS oldest FROM outbox',
      )
      .get();
    return { rows: row?.n ?? 0, payloadBytes: row?.bytes ?? 0, ...(row?.oldest !== null && row?.oldest !== undefined ? { oldestCreatedMs: row.oldest } : {}) };
  }

  /**
   * created_ms of the oldest undelivered row (undefined when everything is delivered). For
   * retention: data recorded after this instant may still be on its way upstream (and an
   * answer may still need it); never prune it, and never prune the outbox.
   */
  oldestUndeliveredMs(): number | undefined {
    const row = this.sql.prepare<[], { oldest: number | null }>('SELECT MIN(created_ms) AS oldest FROM outbox').get();
    return row?.oldest ?? undefined;
  }

  /** Links with undelivered rows. */
  links(): string[] {
    return this.sql
      .prepare<[], { link: string }>('SELECT DISTINCT link FROM outbox ORDER BY link')
      .all()
      .map((r) => r.link);
  }

  /** Every undelivered row of the link, oldest first. */
  all(link: string): OutboxEntry[] {
    return this.sql.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE link = ? ORDER BY seq').all(link).map(toEntry);
  }

  /**
   * Replaces rows by compaction in one transaction: `rewrite` gives rows their new payload (the
   * merged content), `remove` deletes rows whose content now travels in a rewritten row.
   */
  compact(rewrite: ReadonlyArray<{ seq: number; payload: unknown }>, remove: readonly number[], alongside?: () => void): void {
    this.db.transaction(() => {
      for (const r of rewrite) this.updatePayload.run(JSON.stringify(r.payload ?? null), r.seq);
      for (const seq of remove) this.deleteOne.run(seq);
      alongside?.();
    })();
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
