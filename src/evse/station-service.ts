import type { Logger } from '../util/logger.js';
import type { Clock } from '../util/clock.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Store } from '../store/store.js';
import type { AuthorizationStatus, ConnectorState, MeterValue, TransactionEvent } from '../model/types.js';
import type { StationConfig } from '../config/schema.js';
import { PropertyConstraintViolationError } from '../ocpp/errors.js';
import { recogniseRetry, type RetryMatch } from './station-retries.js';

export interface BootInfo {
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
}

export interface BootAnswer {
  status: 'Accepted' | 'Pending' | 'Rejected';
  intervalS: number;
}

export interface StationServiceDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  stations: ReadonlyMap<string, StationConfig>;
  heartbeatIntervalS: number;
  /** Answer for id tokens that are on no list. */
  unknownIdTokens: 'Invalid' | 'Accepted';
  /** Commissioning: unconfigured stations found in a window are answered Pending until approved. */
  commissioning?: {
    isPending(stationId: string): boolean;
    booted(stationId: string, version: OcppVersion, info: BootInfo): void;
    connector(stationId: string, evseId: number, connectorId: number, status: string): void;
  };
}

/** What a station reported that others (the controller, the dispatcher) react to. */
export type StationEvent =
  | { kind: 'booted'; stationId: string }
  /** A station waiting for commissioning got its Pending answer (it is on the wire). */
  | { kind: 'pending'; stationId: string }
  | { kind: 'connection'; stationId: string; connected: boolean }
  | { kind: 'status'; state: ConnectorState }
  | { kind: 'transaction'; event: TransactionEvent }
  /** Meter values outside a transaction (recorded in the message log). */
  | { kind: 'meterValues'; stationId: string; evseId: number; meterValues: MeterValue[] };

/**
 * What the hub does with what stations report, version-neutral: the adapters translate the
 * wire, this records it (durably, before the answer goes out) and decides the answers. In
 * standalone mode the hub is the CSMS, so the decisions are local.
 */
export class StationService {
  private readonly listeners: Array<(e: StationEvent) => void> = [];
  /** Where each station's last boot since the hub started stands (answered = its answer is on the wire). */
  private readonly bootState = new Map<string, 'pending' | 'accepted' | 'refused'>();

  constructor(private readonly deps: StationServiceDeps) {}

  /** Listens to boots, statuses and transaction events, after they are stored. */
  onEvent(listener: (e: StationEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(e: StationEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.deps.log.error({ err, kind: e.kind }, 'station event listener failed');
      }
    }
  }

  /** An unconfigured station found during commissioning, waiting for the operator. */
  private isCommissioning(stationId: string): boolean {
    return !this.deps.stations.has(stationId) && this.deps.commissioning?.isPending(stationId) === true;
  }

  boot(stationId: string, version: OcppVersion, info: BootInfo): BootAnswer {
    const commissioning = this.isCommissioning(stationId);
    if (commissioning) this.deps.commissioning?.booted(stationId, version, info);
    const status = commissioning ? 'Pending' : (this.deps.stations.get(stationId)?.bootStatus ?? 'Accepted');
    this.deps.store.stations.upsertBoot({ stationId, version, bootStatus: status, lastBootMs: this.deps.clock.nowMs(), ...info });
    this.deps.log.info({ stationId, version, status, vendor: info.vendor, model: info.model }, 'station booted');
    const intervalS = status === 'Accepted' ? this.deps.heartbeatIntervalS : Math.min(60, this.deps.heartbeatIntervalS);
    // A new boot: nothing may be sent to the station until its answer (maybe the CSMS's) is out.
    this.bootState.set(stationId, 'pending');
    return { status, intervalS };
  }

  /**
   * The station's BootNotification was answered with `status` (in proxy mode the CSMS's
   * answer, which may differ from the hub's own), and the answer is on the wire. Only now
   * may the hub send it calls (profiles): 'booted' is emitted for an accepted boot.
   */
  bootAnswerSent(stationId: string, status: string | undefined): void {
    if (status !== 'Accepted') {
      this.bootState.set(stationId, 'refused');
      if (status === 'Pending' && this.isCommissioning(stationId)) this.emit({ kind: 'pending', stationId });
      return;
    }
    this.bootState.set(stationId, 'accepted');
    this.emit({ kind: 'booted', stationId });
  }

  /**
   * The station's last boot was answered Accepted and the answer is on the wire. A station that
   * has not booted since the hub started (a reconnect without a boot) counts by its stored boot.
   */
  isBootAccepted(stationId: string): boolean {
    const state = this.bootState.get(stationId);
    if (state !== undefined) return state === 'accepted';
    return this.deps.store.stations.get(stationId)?.bootStatus === 'Accepted';
  }

  /** True when the station may send messages other than BootNotification. */
  isAdmitted(stationId: string): boolean {
    if (this.isCommissioning(stationId)) return false;
    return (this.deps.stations.get(stationId)?.bootStatus ?? 'Accepted') === 'Accepted';
  }

  /**
   * Whether a station that is not admitted may still send `action`: a station waiting for
   * commissioning may report its connectors (StatusNotification, e.g. after a TriggerMessage)
   * and send Heartbeats, so the operator sees what it has.
   */
  mayReportWhilePending(stationId: string, action: string): boolean {
    return (action === 'StatusNotification' || action === 'Heartbeat') && this.isCommissioning(stationId);
  }

  connected(stationId: string, version: OcppVersion): void {
    // In the turn's batch: a reconnect storm costs one commit per turn, not one per station.
    this.deps.store.batch.begin();
    this.deps.store.stations.setConnected(stationId, true, version);
    this.emit({ kind: 'connection', stationId, connected: true });
  }

  disconnected(stationId: string): void {
    // A boot whose answer never went out: the station will boot again.
    if (this.bootState.get(stationId) === 'pending') this.bootState.delete(stationId);
    this.deps.store.batch.begin();
    this.deps.store.stations.setConnected(stationId, false);
    this.emit({ kind: 'connection', stationId, connected: false });
  }

  seen(stationId: string): void {
    this.deps.store.stations.touch(stationId);
  }

  /**
   * Why an EVSE/connector a station reported is not one of its configured ones, or undefined
   * when it is (or when the station is not configured at all, as admitted unknown stations are).
   * EVSE 0 is the station itself.
   */
  private unknownEvse(stationId: string, evseId: number, connectorId: number | undefined): string | undefined {
    const station = this.deps.stations.get(stationId);
    if (!station || evseId === 0) return undefined;
    const evse = station.evses.find((e) => e.id === evseId);
    if (!evse) return `evseId ${evseId} is not configured for this station (configured: ${station.evses.map((e) => e.id).join(', ') || 'none'})`;
    if (connectorId !== undefined && (connectorId < 1 || connectorId > evse.connectors)) {
      return `connectorId ${connectorId} is not configured on EVSE ${evseId} (it has ${evse.connectors})`;
    }
    return undefined;
  }

  /** Refuses (PropertyConstraintViolation, nothing stored) a report about an EVSE or connector the config does not have. */
  private requireKnownEvse(stationId: string, evseId: number, connectorId: number | undefined, action: string): void {
    const problem = this.unknownEvse(stationId, evseId, connectorId);
    if (problem === undefined) return;
    this.deps.log.warn({ stationId, evseId, connectorId, action }, `refused: ${problem}`);
    throw new PropertyConstraintViolationError(problem);
  }

  status(state: ConnectorState): void {
    if (this.isCommissioning(state.stationId)) {
      this.deps.commissioning?.connector(state.stationId, state.evseId, state.connectorId, state.detail ?? state.status);
      return;
    }
    this.requireKnownEvse(state.stationId, state.evseId, state.connectorId, 'StatusNotification');
    this.deps.store.connectors.upsert(state);
    this.emit({ kind: 'status', state });
    this.deps.log.debug({ stationId: state.stationId, evseId: state.evseId, connectorId: state.connectorId, status: state.detail ?? state.status }, 'status');
  }

  authorize(stationId: string, idToken: string): { status: AuthorizationStatus; expiryMs?: number } {
    const found = this.deps.store.authorizations.lookup(idToken, this.deps.clock.nowMs());
    const status: AuthorizationStatus = found ?? this.deps.unknownIdTokens;
    this.deps.log.info({ stationId, idToken: maskToken(idToken), status }, 'authorize');
    return { status };
  }

  /** Records a transaction event durably; true when it was new (not a duplicate seqNo). */
  transactionEvent(ev: TransactionEvent): boolean {
    // Billing data is never refused: a transaction on an unconfigured EVSE is kept, and said.
    const unknown = ev.evseId === undefined ? undefined : this.unknownEvse(ev.stationId, ev.evseId, undefined);
    if (unknown) this.deps.log.warn({ stationId: ev.stationId, evseId: ev.evseId, transactionId: ev.transactionId }, `transaction recorded although ${unknown}`);
    const { duplicate } = this.deps.store.transactions.recordEvent(ev);
    if (!duplicate) this.emit({ kind: 'transaction', event: ev });
    const level = ev.eventType === 'Updated' ? 'debug' : 'info';
    this.deps.log[level](
      { stationId: ev.stationId, evseId: ev.evseId, transactionId: ev.transactionId, seqNo: ev.seqNo, eventType: ev.eventType, duplicate },
      `transaction ${ev.eventType.toLowerCase()}`,
    );
    return !duplicate;
  }

  /**
   * The record of a transaction message this one repeats (a station's retry, e.g. after the hub
   * was killed before answering), or undefined for a new message (station-retries.ts).
   */
  retryOf(stationId: string, version: OcppVersion, action: string, payload: unknown): RetryMatch | undefined {
    const match = recogniseRetry(this.deps.store.transactions, stationId, version, action, payload);
    if (match) this.deps.log.info({ stationId, action, transactionId: match.transactionId }, 'station retried a message already recorded: answered from the record, not recorded again');
    return match;
  }

  /** A hub-assigned integer transaction id for OCPP 1.6. */
  nextLegacyTransactionId(): number {
    return this.deps.store.transactions.nextLegacyTransactionId();
  }

  /** The running transaction's EVSE and next seqNo, for 1.6 messages that name only the id. */
  transactionContext(stationId: string, transactionId: string): { evseId: number; nextSeqNo: number } | undefined {
    const tx = this.deps.store.transactions.progress(stationId, transactionId);
    if (!tx) return undefined;
    // The summary's lastSeqNo is the highest recorded seqNo: no second query per message.
    return { evseId: tx.evseId, nextSeqNo: tx.lastSeqNo + 1 };
  }

  activeTransactionOn(stationId: string, evseId: number): string | undefined {
    return this.deps.store.transactions.findActive(stationId, evseId)[0]?.transactionId;
  }

  meterValuesOutsideTransaction(stationId: string, evseId: number, values: MeterValue[]): void {
    this.requireKnownEvse(stationId, evseId, undefined, 'MeterValues');
    this.deps.store.messages.append(stationId, 'MeterValues', { evseId, meterValues: values });
    this.emit({ kind: 'meterValues', stationId, evseId, meterValues: values });
  }

  /** Notifications the hub accepts and keeps without acting on them. */
  notification(stationId: string, action: string, payload: unknown): void {
    this.deps.store.messages.append(stationId, action, payload);
    this.deps.log.info({ stationId, action }, 'notification stored');
  }
}

/** Id tokens are personal data: log only enough to correlate. */
export function maskToken(idToken: string): string {
  return idToken.length <= 4 ? '****' : `${idToken.slice(0, 2)}…${idToken.slice(-2)}`;
}
