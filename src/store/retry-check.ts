import type Database from 'better-sqlite3';
import type { TransactionEvent, TransactionEventType } from '../model/types.js';
import { RETRY_WINDOW_SIZE, RetryWindows, rawFingerprint, type WindowEvent } from './retry-windows.js';

type TxKey = [stationId: string, transactionId: string];

export interface RetryCheckDeps {
  db: Database.Database;
  /** Transactions whose last events are kept in memory (default 20,000, see RetryWindows). */
  maxWindows?: number;
}

/**
 * How a station's retry of a transaction message is recognised: among the transaction's last
 * events, the one whose recorded wire payload (raw) is exactly the new one. For the last
 * RETRY_WINDOW_SIZE events the check holds fingerprints in memory (retry-windows.ts) and reads
 * the stored text only to confirm a match; a longer look-back asks the database.
 */
export class RetryCheck {
  private readonly windows: RetryWindows;
  private readonly eventByRaw: Database.Statement<[...TxKey, number, string], { seq_no: number; event_type: TransactionEventType }>;
  private readonly lastEventsOf: Database.Statement<TxKey, { seq_no: number; event_type: TransactionEventType; raw_json: string | null }>;
  private readonly rawOfEvent: Database.Statement<[...TxKey, number], { raw_json: string | null }>;

  constructor(deps: RetryCheckDeps) {
    const { db } = deps;
    this.windows = new RetryWindows(deps.maxWindows);
    this.eventByRaw = db.prepare(
      `SELECT seq_no, event_type FROM (
         SELECT seq_no, event_type, raw_json FROM transaction_events WHERE station_id = ? AND transaction_id = ?
         ORDER BY seq_no DESC LIMIT ?)
       WHERE raw_json = ? LIMIT 1`,
    );
    this.lastEventsOf = db.prepare(
      `SELECT seq_no, event_type, raw_json FROM transaction_events WHERE station_id = ? AND transaction_id = ?
       ORDER BY seq_no DESC LIMIT ${RETRY_WINDOW_SIZE}`,
    );
    this.rawOfEvent = db.prepare('SELECT raw_json FROM transaction_events WHERE station_id = ? AND transaction_id = ? AND seq_no = ?');
  }

  /** An event was recorded (not a duplicate) with this raw payload. */
  recorded(ev: TransactionEvent, rawJson: string | null): void {
    this.windows.recorded(ev.stationId, ev.transactionId, { seqNo: ev.seqNo, eventType: ev.eventType, fingerprint: fingerprintOf(rawJson) });
  }

  /** Forgets what is held in memory; the database is read again. */
  forget(): void {
    this.windows.clear();
  }

  /** Among the transaction's last `lastN` events (by seqNo), the one whose raw payload is exactly `raw` (compared as JSON text). */
  find(stationId: string, transactionId: string, raw: unknown, lastN: number): { seqNo: number; eventType: TransactionEventType } | undefined {
    const json: string | undefined = JSON.stringify(raw);
    if (json === undefined) return undefined;
    const n = Math.max(1, Math.floor(lastN));
    if (n > RETRY_WINDOW_SIZE) {
      const row = this.eventByRaw.get(stationId, transactionId, n, json);
      return row ? { seqNo: row.seq_no, eventType: row.event_type } : undefined;
    }
    const window = this.windows.get(stationId, transactionId);
    if (!window) {
      // Read once per transaction (after a start, or once forgotten); later events extend it.
      const rows = this.lastEventsOf.all(stationId, transactionId);
      this.windows.put(stationId, transactionId, rows.map((r) => ({ seqNo: r.seq_no, eventType: r.event_type, fingerprint: fingerprintOf(r.raw_json) })));
      const row = rows.slice(0, n).find((r) => r.raw_json === json);
      return row ? { seqNo: row.seq_no, eventType: row.event_type } : undefined;
    }
    const fingerprint = rawFingerprint(json);
    for (let i = window.length - 1; i >= Math.max(0, window.length - n); i--) {
      const e = window[i]!;
      // A fingerprint may collide: the stored text decides.
      if (e.fingerprint === fingerprint && this.rawOfEvent.get(stationId, transactionId, e.seqNo)?.raw_json === json) {
        return { seqNo: e.seqNo, eventType: e.eventType };
      }
    }
    return undefined;
  }
}

/** An event without a raw payload matches no payload: a fingerprint no text has. */
function fingerprintOf(rawJson: string | null): WindowEvent['fingerprint'] {
  return rawJson === null ? -1 : rawFingerprint(rawJson);
}
