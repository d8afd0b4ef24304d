import type { Clock, TimerHandle } from '../../util/clock.js';
import { isoTime } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import type { StationService } from '../../evse/station-service.js';
import { endedEventOf16 } from '../../ocpp/adapters/v16.js';
import { transactionEventOf2x, type TransactionEvent2x } from '../../ocpp/adapters/v2x.js';
import type { ProxyEnvelope } from './proxy-outbox.js';

const ENDED_BY_HUB = 'upstream.endedByHub.';
/** A transaction open when the previous run may have lost its last periodic message (value: its lastSeqNo then). */
const MAY_HAVE_LOST = 'upstream.mayHaveLostLast.';

export type Enqueue = (action: string, envelope: ProxyEnvelope) => void;

/**
 * No dangling transactions upstream after a station reboots mid-transaction.
 * - OCPP 1.6 has no resume: at an accepted BootNotification every transaction the hub still
 *   holds open for the station is ended at once, locally and upstream (StopTransaction, reason
 *   Reboot, meterStop = the last energy register reading). A StopTransaction the station sends
 *   for it later is answered locally and not forwarded again.
 * - OCPP 2.x stations may resume: a transaction open at boot that gets no TransactionEvent
 *   from the station within the grace time is ended (TransactionEvent Ended, triggerReason
 *   AbnormalCondition, stoppedReason Reboot, next seqNo); one that does is resumed.
 * - No ghost transactions: when a connector reports Available while the hub still holds a
 *   transaction Active on its EVSE, the station has no session there any more (a Stop was lost,
 *   or never sent). The station gets the same grace time to send its Stop/Ended (stations may
 *   report the status before their queued transaction messages); a transaction that got no
 *   message in that time is ended as above, with reason Other (1.6 StopTransaction, 2.x
 *   Ended with triggerReason AbnormalCondition), locally and upstream.
 */
export class RebootRule {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(private readonly deps: { store: Store; service: StationService; clock: Clock; log: Logger; graceMs: number }) {}

  onBoot(stationId: string, version: OcppVersion, enqueue: Enqueue): void {
    const open = this.deps.store.transactions.findActive(stationId);
    if (open.length === 0) return;
    if (version === '1.6') {
      for (const tx of open) this.end16(stationId, tx.transactionId, tx.evseId, enqueue);
      return;
    }
    const seqAtBoot = new Map(open.map((tx) => [tx.transactionId, tx.lastSeqNo]));
    this.deps.clock.clearTimeout(this.timers.get(stationId));
    this.timers.set(
      stationId,
      this.deps.clock.setTimeout(() => {
        this.timers.delete(stationId);
        for (const [transactionId, lastSeqNo] of seqAtBoot) {
          const now = this.deps.store.transactions.get(stationId, transactionId);
          if (now?.status === 'Active' && now.lastSeqNo === lastSeqNo) this.end2x(stationId, transactionId, now.evseId, now.connectorId, enqueue);
        }
      }, this.deps.graceMs),
    );
  }

  /** A connector's status: Available with a transaction still Active on the EVSE arms the ghost check. */
  onStatus(stationId: string, version: OcppVersion, evseId: number, available: boolean, enqueue: Enqueue): void {
    const key = `${stationId}\u0000${evseId}`;
    if (!available) return;
    const open = this.deps.store.transactions.findActive(stationId, evseId);
    if (open.length === 0) return;
    const seqAtStatus = new Map(open.map((tx) => [tx.transactionId, tx.lastSeqNo]));
    this.deps.clock.clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      this.deps.clock.setTimeout(() => {
        this.timers.delete(key);
        for (const [transactionId, lastSeqNo] of seqAtStatus) {
          const now = this.deps.store.transactions.get(stationId, transactionId);
          if (now?.status !== 'Active' || now.lastSeqNo !== lastSeqNo) continue;
          this.deps.log.warn({ stationId, evseId, transactionId }, 'connector Available with no Stop for its transaction: ended by the hub');
          if (version === '1.6') this.end16(stationId, transactionId, now.evseId, enqueue, 'Other');
          else this.end2x(stationId, transactionId, now.evseId, now.connectorId, enqueue, 'Other');
        }
      }, this.deps.graceMs),
    );
  }

  /**
   * At start, when the previous run may have lost writes it had not synced (Store.mayHaveLostUnsynced):
   * every open transaction may have lost its last periodic message, answered before its sync
   * (commit-overlap.ts answersWhenWritten). Marked durably with its lastSeqNo; an Ended or Stop
   * the hub makes for it while it has had no message since provides for that (end2x, end16).
   */
  markPossibleLoss(): void {
    const { store, log } = this.deps;
    if (!store.mayHaveLostUnsynced) return;
    const open = store.transactions.activeAll();
    for (const tx of open) store.stationState.set(tx.stationId, MAY_HAVE_LOST + tx.transactionId, tx.lastSeqNo);
    if (open.length > 0) log.warn({ transactions: open.length }, 'the hub did not close its store and the system restarted since: the last periodic message of an open transaction may be missing here (the CSMS has it)');
  }

  /** The transaction ended upstream: its mark (markPossibleLoss) is of no further use. */
  forgetPossibleLoss(stationId: string, transactionId: string): void {
    this.deps.store.stationState.delete(stationId, MAY_HAVE_LOST + transactionId);
  }

  /** True when the hub ended this 1.6 transaction itself (after a reboot, or as a ghost). */
  endedByHub(stationId: string, hubTransactionId: number): boolean {
    return this.deps.store.stationState.get(stationId, ENDED_BY_HUB + hubTransactionId) === true;
  }

  stop(): void {
    for (const t of this.timers.values()) this.deps.clock.clearTimeout(t);
    this.timers.clear();
  }

  private end16(stationId: string, transactionId: string, evseId: number, enqueue: Enqueue, reason: 'Reboot' | 'Other' = 'Reboot'): void {
    const { store, service, clock } = this.deps;
    const nowMs = clock.nowMs();
    const payload = { transactionId: Number(transactionId), meterStop: this.lastRegisterWh(stationId, transactionId), timestamp: isoTime(nowMs), reason };
    if (this.mayHaveLostLast(stationId, transactionId)) {
      this.deps.log.warn({ stationId, transactionId, meterStop: payload.meterStop }, 'the StopTransaction the hub makes may carry a lower meterStop than a MeterValues the CSMS holds: the last reading may have been lost here in a power cut');
    }
    store.db.transaction(() => {
      service.transactionEvent(endedEventOf16(stationId, store.transactions.nextSeqNo(stationId, transactionId), evseId, payload, nowMs));
      store.stationState.set(stationId, ENDED_BY_HUB + transactionId, true);
      enqueue('StopTransaction', { payload, hubMade: true });
    })();
    this.deps.log.warn({ stationId, transactionId, meterStop: payload.meterStop, reason }, 'open 1.6 transaction ended by the hub, locally and upstream');
  }

  /** The transaction was marked by markPossibleLoss and has had no message since. */
  private mayHaveLostLast(stationId: string, transactionId: string): boolean {
    const { store } = this.deps;
    const marked = store.stationState.get(stationId, MAY_HAVE_LOST + transactionId);
    return typeof marked === 'number' && store.transactions.get(stationId, transactionId)?.lastSeqNo === marked;
  }

  private end2x(stationId: string, transactionId: string, evseId: number, connectorId: number, enqueue: Enqueue, stoppedReason: 'Reboot' | 'Other' = 'Reboot'): void {
    const { store, service, clock } = this.deps;
    const nowMs = clock.nowMs();
    const payload: TransactionEvent2x = {
      eventType: 'Ended',
      timestamp: isoTime(nowMs),
      triggerReason: 'AbnormalCondition',
      // One number more when the transaction's last message may be lost here: the CSMS may hold that number.
      seqNo: store.transactions.nextSeqNo(stationId, transactionId) + (this.mayHaveLostLast(stationId, transactionId) ? 1 : 0),
      transactionInfo: { transactionId, stoppedReason },
      ...(evseId > 0 ? { evse: { id: evseId, ...(connectorId > 0 ? { connectorId } : {}) } } : {}),
    };
    store.db.transaction(() => {
      service.transactionEvent(transactionEventOf2x(stationId, payload, nowMs, evseId));
      enqueue('TransactionEvent', { payload, hubMade: true });
    })();
    this.deps.log.warn({ stationId, transactionId, stoppedReason }, 'open transaction ended by the hub, locally and upstream');
  }

  /**
   * The transaction's last energy register reading in Wh, as its bill reads it: the phase total
   * (kWh converted; per-phase rows and impossible values left out: store/register-span.ts), i.e.
   * the first reading plus the energy so far; the first alone when nothing followed it.
   */
  private lastRegisterWh(stationId: string, transactionId: string): number {
    const tx = this.deps.store.transactions.get(stationId, transactionId);
    const startWh = tx?.meterStartWh ?? 0;
    return Math.max(0, Math.round(startWh + (tx?.energyWh ?? 0)));
  }
}

/** The EVSE a StatusNotification names and whether it reports Available (1.6: connector N is EVSE N). */
export function statusOf(version: OcppVersion, payload: unknown): { evseId: number; available: boolean } | undefined {
  const p = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const evseId = version === '1.6' ? p['connectorId'] : p['evseId'];
  if (typeof evseId !== 'number' || evseId <= 0) return undefined;
  return { evseId, available: (version === '1.6' ? p['status'] : p['connectorStatus']) === 'Available' };
}
