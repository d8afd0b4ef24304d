import type { StationStateRepo } from '../store/station-state-repo.js';
import { fields, numberField, stringField } from './wire-fields.js';

/** Kept by versions before the absorbed ranges: the transaction's next upstream seqNo (still honoured for it). */
const LEGACY_NEXT_SEQ_NO = 'upstream.nextSeqNo.';
/** The station's seqNos of a transaction that never go up as numbers of their own: [after, upTo] pairs. */
const ABSORBED = 'upstream.absorbedSeqNos.';

/** Station seqNos `after + 1 .. upTo` of one transaction that the CSMS never sees as numbers of their own. */
export interface AbsorbedSeqNos {
  transactionId: string;
  after: number;
  upTo: number;
}

/**
 * The seqNo of a 2.x TransactionEvent as the CSMS sees it: the message's own seqNo (the
 * station's; the hub's for 1.6 chargers in hub mode and for the events the hub makes) minus
 * the number of the transaction's own seqNos below it that never went up as numbers of their
 * own. Those are recorded durably per link and transaction, in the SQLite transaction that
 * decides them:
 * - compaction merged rows into an earlier one (the merged TransactionEvent keeps its first
 *   row's seqNo; the removed rows' numbers are absorbed: `absorb`, with the compaction);
 * - the CSMS refused a message with a CALLERROR, or it could not be sent (`notSent`, with its
 *   removal): a message that does not count consumes no number.
 * So the CSMS sees 0, 1, 2, ... per transaction, and:
 * - a message sent again (after a crash between the CSMS's answer and the ack, or after a lost
 *   answer) goes up with the same seqNo as before, and the CSMS can drop the copy (E.FR:
 *   transactionId + seqNo): the ranges below it cannot change once it left (compaction never
 *   touches a link's oldest row, the one in flight, or one awaiting its ack);
 * - a message the CSMS answered whose local row was lost (answered before the sync, lost in a
 *   power cut: commit-overlap.ts) used a number the next message does not reuse: that one's own
 *   seqNo is higher, and nothing below it changed. Counting the upstream numbers instead (the
 *   transaction's next number, advanced with each ack) would give the next message the lost
 *   one's number, and the CSMS would drop it as a repeat.
 * Nothing is written when a message is delivered. The ranges are deleted once the
 * transaction's Ended is delivered. A transaction that still has the next-number counter of an
 * earlier version keeps counting that way until it ends.
 */
export class UpstreamSeqNos {
  constructor(private readonly deps: { state: StationStateRepo }) {}

  /** The payload as it goes on the wire: a TransactionEvent with its upstream seqNo. */
  onWire(link: string, action: string, payload: unknown): unknown {
    const seqNo = this.seqNoFor(link, action, payload);
    return seqNo === undefined ? payload : { ...fields(payload), seqNo };
  }

  /**
   * False for a TransactionEvent of a transaction that still counts upstream numbers (the
   * counter of an earlier version): there a lost row's number would be reused, so its messages
   * are not answered before their sync (ProxyStation).
   */
  numbersFromOwn(link: string, action: string, payload: unknown): boolean {
    const transactionId = transactionIdOf(action, payload);
    return transactionId === undefined || typeof this.deps.state.get(link, LEGACY_NEXT_SEQ_NO + transactionId) !== 'number';
  }

  /** Records that the CSMS answered the message as sent (`onWire`'s result; call inside the ack's transaction). */
  delivered(link: string, action: string, payload: unknown): void {
    const seqNo = numberField(payload, 'seqNo');
    const transactionId = transactionIdOf(action, payload);
    if (seqNo === undefined || transactionId === undefined) return;
    const { state } = this.deps;
    if (stringField(payload, 'eventType') === 'Ended') {
      state.delete(link, LEGACY_NEXT_SEQ_NO + transactionId);
      state.delete(link, ABSORBED + transactionId);
    } else if (typeof state.get(link, LEGACY_NEXT_SEQ_NO + transactionId) === 'number') {
      state.set(link, LEGACY_NEXT_SEQ_NO + transactionId, seqNo + 1);
    }
  }

  /**
   * A message that leaves the queue without counting (refused with a CALLERROR, or unsendable):
   * its own seqNo is absorbed, so the next message takes the number it would have had. `payload`
   * is the stored one (own seqNo); call inside the transaction that removes it.
   */
  notSent(link: string, action: string, payload: unknown): void {
    const seqNo = numberField(payload, 'seqNo');
    const transactionId = transactionIdOf(action, payload);
    if (seqNo === undefined || transactionId === undefined) return;
    this.absorb(link, [{ transactionId, after: seqNo - 1, upTo: seqNo }]);
  }

  /** Records station seqNos that never go up as numbers of their own (compaction; call in its transaction). */
  absorb(link: string, absorbed: readonly AbsorbedSeqNos[]): void {
    const { state } = this.deps;
    for (const a of absorbed) {
      if (a.upTo <= a.after) continue;
      const key = ABSORBED + a.transactionId;
      state.set(link, key, union([...rangesOf(state.get(link, key)), [a.after, a.upTo]]));
    }
  }

  private seqNoFor(link: string, action: string, payload: unknown): number | undefined {
    const transactionId = transactionIdOf(action, payload);
    if (transactionId === undefined) return undefined;
    const { state } = this.deps;
    const legacyNext = state.get(link, LEGACY_NEXT_SEQ_NO + transactionId);
    if (typeof legacyNext === 'number') return legacyNext;
    const own = numberField(payload, 'seqNo');
    if (own === undefined) return undefined;
    let below = 0;
    for (const [after, upTo] of rangesOf(state.get(link, ABSORBED + transactionId))) below += Math.max(0, Math.min(upTo, own - 1) - after);
    return own - below;
  }
}

/**
 * The same numbers as disjoint ranges, in order. A merged row absorbed into an earlier run later
 * gives a range that covers its own earlier one: counted once.
 */
function union(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [after, upTo] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && after <= last[1]) last[1] = Math.max(last[1], upTo);
    else out.push([after, upTo]);
  }
  return out;
}

function rangesOf(value: unknown): Array<[number, number]> {
  if (!Array.isArray(value)) return [];
  return value.filter((r): r is [number, number] => Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number');
}

function transactionIdOf(action: string, payload: unknown): string | undefined {
  if (action !== 'TransactionEvent') return undefined;
  return stringField(fields(payload)['transactionInfo'], 'transactionId');
}
