import type { StationStateRepo } from '../store/station-state-repo.js';
import { fields, numberField, stringField } from './wire-fields.js';

const NEXT_SEQ_NO = 'upstream.nextSeqNo.';

/**
 * The seqNo of a 2.x TransactionEvent as the CSMS sees it is given when the message is SENT, not
 * when it is queued: upstream seqNo = the transaction's next upstream seqNo (kept per link and
 * transaction, durably), or the queued message's own seqNo for the first message of a
 * transaction the hub has not sent anything of yet. It advances only when the CSMS answered,
 * in the same SQLite transaction as the outbox ack (OutboxPump.onDelivered), so:
 * - compaction (several queued Updated merged into one row) leaves no gap: the rows after it
 *   simply get the next numbers;
 * - a message re-sent after a crash between the CSMS's answer and the ack goes up with the
 *   same seqNo as before, and the CSMS can drop the copy (E.FR: transactionId + seqNo);
 * - a CALLERROR does not consume a number.
 * Without compaction the numbers are the queued ones (the station's own for 2.x, the hub's
 * for 1.6 chargers in hub mode). The counter is deleted once the transaction's Ended is
 * delivered.
 */
export class UpstreamSeqNos {
  constructor(private readonly deps: { state: StationStateRepo }) {}

  /** The payload as it goes on the wire: a TransactionEvent with its upstream seqNo. */
  onWire(link: string, action: string, payload: unknown): unknown {
    const seqNo = this.seqNoFor(link, action, payload);
    return seqNo === undefined ? payload : { ...fields(payload), seqNo };
  }

  /** Records that the CSMS answered the message as sent (`onWire`'s result; call inside the ack's transaction). */
  delivered(link: string, action: string, payload: unknown): void {
    const seqNo = numberField(payload, 'seqNo');
    const transactionId = transactionIdOf(action, payload);
    if (seqNo === undefined || transactionId === undefined) return;
    if (stringField(payload, 'eventType') === 'Ended') this.deps.state.delete(link, NEXT_SEQ_NO + transactionId);
    else this.deps.state.set(link, NEXT_SEQ_NO + transactionId, seqNo + 1);
  }

  private seqNoFor(link: string, action: string, payload: unknown): number | undefined {
    const transactionId = transactionIdOf(action, payload);
    if (transactionId === undefined) return undefined;
    const next = this.deps.state.get(link, NEXT_SEQ_NO + transactionId);
    return typeof next === 'number' ? next : numberField(payload, 'seqNo');
  }
}

function transactionIdOf(action: string, payload: unknown): string | undefined {
  if (action !== 'TransactionEvent') return undefined;
  return stringField(fields(payload)['transactionInfo'], 'transactionId');
}
