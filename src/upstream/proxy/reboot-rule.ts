import type { Clock, TimerHandle } from '../../util/clock.js';
import { isoTime } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import { ENERGY_REGISTER_MEASURAND } from '../../store/transaction-repo.js';
import type { StationService } from '../../evse/station-service.js';
import { endedEventOf16 } from '../../ocpp/adapters/v16.js';
import { transactionEventOf2x, type TransactionEvent2x } from '../../ocpp/adapters/v2x.js';
import type { ProxyEnvelope } from './proxy-outbox.js';

const ENDED_BY_HUB = 'upstream.endedByHub.';

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

  /** True when the hub ended this 1.6 transaction itself after a reboot. */
  endedByHub(stationId: string, hubTransactionId: number): boolean {
    return this.deps.store.stationState.get(stationId, ENDED_BY_HUB + hubTransactionId) === true;
  }

  stop(): void {
    for (const t of this.timers.values()) this.deps.clock.clearTimeout(t);
    this.timers.clear();
  }

  private end16(stationId: string, transactionId: string, evseId: number, enqueue: Enqueue): void {
    const { store, service, clock } = this.deps;
    const nowMs = clock.nowMs();
    const payload = { transactionId: Number(transactionId), meterStop: this.lastRegisterWh(stationId, transactionId), timestamp: isoTime(nowMs), reason: 'Reboot' };
    store.db.transaction(() => {
      service.transactionEvent(endedEventOf16(stationId, store.transactions.nextSeqNo(stationId, transactionId), evseId, payload, nowMs));
      store.stationState.set(stationId, ENDED_BY_HUB + transactionId, true);
      enqueue('StopTransaction', { payload, hubMade: true });
    })();
    this.deps.log.warn({ stationId, transactionId, meterStop: payload.meterStop }, 'station rebooted: open 1.6 transaction ended upstream');
  }

  private end2x(stationId: string, transactionId: string, evseId: number, connectorId: number, enqueue: Enqueue): void {
    const { store, service, clock } = this.deps;
    const nowMs = clock.nowMs();
    const payload: TransactionEvent2x = {
      eventType: 'Ended',
      timestamp: isoTime(nowMs),
      triggerReason: 'AbnormalCondition',
      seqNo: store.transactions.nextSeqNo(stationId, transactionId),
      transactionInfo: { transactionId, stoppedReason: 'Reboot' },
      ...(evseId > 0 ? { evse: { id: evseId, ...(connectorId > 0 ? { connectorId } : {}) } } : {}),
    };
    store.db.transaction(() => {
      service.transactionEvent(transactionEventOf2x(stationId, payload, nowMs, evseId));
      enqueue('TransactionEvent', { payload, hubMade: true });
    })();
    this.deps.log.warn({ stationId, transactionId }, 'station rebooted and did not resume its transaction: ended upstream');
  }

  private lastRegisterWh(stationId: string, transactionId: string): number {
    const samples = this.deps.store.transactions.samples(stationId, transactionId, { measurand: ENERGY_REGISTER_MEASURAND });
    const last = samples[samples.length - 1];
    return Math.max(0, Math.round(last?.value ?? this.deps.store.transactions.get(stationId, transactionId)?.meterStartWh ?? 0));
  }
}
