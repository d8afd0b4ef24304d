import type { OcppVersion } from '../../ocpp/versions.js';
import { numberField } from '../wire-fields.js';

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
 * Whether the station may get the CSMS's answer to a live message before the commit (fsync) of
 * its record and outbox row: only where the local copy serves nothing but the delivery, which
 * the CSMS's CALLRESULT has just completed, so that losing it (a power cut during that fsync, a
 * failed fsync or SQLite commit) changes no later behaviour of the hub. The ack still follows the
 * commit (OutboxPump.tryLive); a failed commit loses nothing the CSMS lacks (it has the message)
 * and makes no copy (the station got its answer and does not send it again; the row is gone
 * with the commit, or acked).
 * - Yes: meter values outside a transaction (2.x MeterValues; 1.6 MeterValues without a
 *   transactionId). Locally they are a message-log row and a live event, read by nothing that
 *   decides later.
 * - No: everything of a transaction. A 1.6 MeterValues of a transaction is the hub's last energy
 *   register reading, which becomes the meterStop of the StopTransaction the hub sends itself when
 *   the charger reboots or its connector turns Available mid-transaction (RebootRule): lost, that
 *   Stop would carry a lower reading than one the CSMS holds. A 2.x TransactionEvent Updated
 *   advances the transaction's seqNo: lost together with its ack, the next TransactionEvent of
 *   the transaction (the station's, or the Ended the hub makes after a reboot) would go up with
 *   the seqNo the CSMS already holds, and the CSMS would drop it as a repeat. Start/Stop/Started/
 *   Ended and the hub's transaction id mapping are needed by the reboot rule and `endedByHub`.
 *   Statuses and boots drive the reboot rule and ReEnroll. These all keep waiting for the commit.
 */
export function answersBeforeDurable(version: OcppVersion, action: string, payload: unknown): boolean {
  if (action !== 'MeterValues') return false;
  return version !== '1.6' || numberField(payload, 'transactionId') === undefined;
}
