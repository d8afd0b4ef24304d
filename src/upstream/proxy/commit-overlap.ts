import type { OcppVersion } from '../../ocpp/versions.js';
import { numberField, stringField } from '../wire-fields.js';

/*
 * Proxy mode: how a live station message relates to the commit (fsync) of its record and outbox
 * row. ProxyStation.queued asks both per message; the README's exactly-once section has the
 * same argument for users.
 */

/**
 * Whether a live message may leave for the CSMS while the commit of its record and outbox row is
 * still running (the station's answer waits for that commit, except where answersBeforeDurable
 * says otherwise). A crash or a failed commit in that window leaves the CSMS with a copy the hub
 * has no record of; the station, never answered, sends the message again, and the CSMS gets it
 * a second time. That is acceptable where the repeat is one the CSMS can recognise or one a
 * direct connection produces as well:
 * - 2.x: a TransactionEvent comes again with the same transactionId + seqNo (the upstream seqNo
 *   advances only with an ack, and a message whose commit failed is never acked); the other
 *   messages (status, boot, notifications) are states or events a CSMS sees again anyway.
 * - 1.6 MeterValues and StopTransaction: the repeat is the station's own re-send of a message it
 *   got no answer for, byte for byte what it sends a CSMS directly when a CALLRESULT is lost (the
 *   spec's retry of transaction messages), so a CSMS must tolerate it; the Stop names the CSMS's
 *   transaction id. The hub adds no copy of its own (what it re-sends after a crash is still
 *   marked: the mark is written in the same commit as the row).
 *   Such a repeat is not reported as UpstreamPossibleDuplicate (no row, no mark survived).
 * - 1.6 StartTransaction waits: its repeat is the costliest duplicate 1.6 has (a second, never
 *   stopped transaction at the CSMS), and its durable "sent" mark is what lets the hub report
 *   one; one Start per session makes the wait cheap.
 */
export function overlapsCommit(version: OcppVersion, action: string): boolean {
  return !(version === '1.6' && action === 'StartTransaction');
}

/**
 * Whether the station may get the CSMS's answer to a live message before the commit of its
 * record and outbox row: only where the local copy serves nothing but the delivery, which
 * the CSMS's CALLRESULT has just completed, so that losing it (a power cut during that fsync, a
 * failed fsync or SQLite commit) changes no later behaviour of the hub. The ack still follows the
 * commit (OutboxPump.tryLive); a failed commit loses nothing the CSMS lacks (it has the message)
 * and makes no copy (the station got its answer and does not send it again; the row is gone
 * with the commit, or acked).
 * - Yes: meter values outside a transaction (2.x MeterValues; 1.6 MeterValues without a
 *   transactionId). Locally they are a message-log row and a live event, read by nothing that
 *   decides later.
 * - Everything of a transaction waits at least for the commit: see answersWhenWritten.
 */
export function answersBeforeDurable(version: OcppVersion, action: string, payload: unknown): boolean {
  if (action !== 'MeterValues') return false;
  return version !== '1.6' || numberField(payload, 'transactionId') === undefined;
}

/**
 * Whether the station may get the CSMS's answer to a live message once the commit of its record
 * and outbox row is written to the log, before the log's sync (GroupCommit.written, not
 * barrier): the periodic messages of a running transaction, 1.6 MeterValues with a
 * transactionId and 2.x TransactionEvent Updated. A failed commit still gets the station an
 * error (it sends the message again), and a crash of the process loses nothing written; only
 * a power cut or a crash of the system in the sync's few milliseconds can lose the local copy of
 * a message the CSMS holds and the station will not send again. ProxyStation lets at most one
 * such answer per station wait for its sync at a time (the next such message is answered once the
 * earlier one's sync is done and its own commit written; any other message waits for its own sync,
 * which covers the earlier), so such a loss is at most the station's last message, and the
 * hub provides for it:
 * - 2.x: the upstream seqNo is the station's own less the numbers absorbed below it
 *   (upstream-seq-nos.ts), so the next TransactionEvent never reuses the lost one's number. The
 *   Ended the hub makes itself after a reboot (RebootRule) skips one number when the store says
 *   the previous run may have lost such a write (Store.mayHaveLostUnsynced) and the transaction
 *   has had no message since.
 * - 1.6: the lost reading was the hub's last energy register reading of the transaction, the
 *   meterStop of a StopTransaction the hub makes itself after a reboot (RebootRule). That Stop
 *   may then carry the reading before it, one metering interval lower than a MeterValues the
 *   CSMS holds; the hub logs a warning when it makes a Stop in that case. The readings after
 *   the power cut are lost to any CSMS in the same way.
 * Start/Stop/Started/Ended and the hub's transaction id mapping are needed by the reboot rule
 * and `endedByHub`, statuses and boots drive the reboot rule and ReEnroll: these keep waiting
 * for the sync.
 */
export function answersWhenWritten(version: OcppVersion, action: string, payload: unknown): boolean {
  if (version === '1.6') return action === 'MeterValues' && numberField(payload, 'transactionId') !== undefined;
  return action === 'TransactionEvent' && stringField(payload, 'eventType') === 'Updated';
}
