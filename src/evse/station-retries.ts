import type { OcppVersion } from '../ocpp/versions.js';
import type { TransactionRepo } from '../store/transaction-repo.js';

/** How many of a transaction's last events a retried 1.6 MeterValues or StopTransaction is compared with. */
export const RETRY_WINDOW_EVENTS = 16;

/** A station's message that repeats one already recorded, and what the record says. */
export type RetryMatch =
  /** 1.6: the transaction the first StartTransaction created (its id is the answer again). */
  | { action: 'StartTransaction'; transactionId: number }
  | { action: 'MeterValues' | 'StopTransaction' | 'TransactionEvent'; transactionId: string };

/**
 * Recognises a station's retry of a transaction message the hub has already recorded, e.g.
 * when the hub was killed after recording a message and before its answer went out: the
 * station sends the same CALL again (new message id, same content). Such a retry must get the
 * recorded answer and must not be recorded or forwarded again (a second transaction at the
 * CSMS, a ghost Active transaction in the hub, a reading counted twice).
 *
 * Rules (content is compared exactly, as recorded from the wire):
 * - 1.6 StartTransaction: the same payload (connector, idTag, meterStart, timestamp,
 *   reservationId) as the Start of the transaction recorded last on that connector, while that
 *   transaction still runs. A station sends its messages in order, so a retried Start comes
 *   before that transaction's Stop; once it ended, an identical Start is a new session (a
 *   charger without a clock may send the same timestamp and meter reading twice).
 * - 1.6 MeterValues with a transactionId: the same meterValue array as one of the transaction's
 *   last RETRY_WINDOW_EVENTS events (the station's timestamps make two real readings differ).
 * - 1.6 StopTransaction: the same payload as the recorded end of that transaction.
 * - 2.x TransactionEvent: the same (transactionId, seqNo) as a recorded event: OCPP's own key.
 */
export function recogniseRetry(transactions: TransactionRepo, stationId: string, version: OcppVersion, action: string, payload: unknown): RetryMatch | undefined {
  const p = record(payload);
  if (version === '1.6') {
    if (action === 'StartTransaction') {
      const connectorId = num(p['connectorId']);
      if (connectorId === undefined) return undefined;
      const latest = transactions.latestOn(stationId, connectorId);
      if (!latest || latest.status === 'Ended') return undefined;
      const found = transactions.findEventByRaw(stationId, latest.transactionId, payload, RETRY_WINDOW_EVENTS);
      return found?.eventType === 'Started' ? { action, transactionId: Number(latest.transactionId) } : undefined;
    }
    if (action === 'MeterValues' || action === 'StopTransaction') {
      const transactionId = num(p['transactionId']);
      if (transactionId === undefined) return undefined;
      const raw = action === 'MeterValues' ? p['meterValue'] : payload;
      const found = transactions.findEventByRaw(stationId, String(transactionId), raw, RETRY_WINDOW_EVENTS);
      const expected = action === 'MeterValues' ? 'Updated' : 'Ended';
      return found?.eventType === expected ? { action, transactionId: String(transactionId) } : undefined;
    }
    return undefined;
  }
  if (action !== 'TransactionEvent') return undefined;
  const transactionId = record(p['transactionInfo'])['transactionId'];
  const seqNo = num(p['seqNo']);
  if (typeof transactionId !== 'string' || seqNo === undefined) return undefined;
  return transactions.hasEvent(stationId, transactionId, seqNo) ? { action, transactionId } : undefined;
}

function record(x: unknown): Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}
