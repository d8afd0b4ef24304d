/**
 * Everything hub-mode translation remembers between messages, as one plain JSON-serialisable
 * value. Translators take it and return the next one; nothing is mutated in place.
 *
 * Persistence contract: the caller stores the returned state in the same SQLite transaction as
 * the upstream messages it writes to the outbox (and before answering the charger), so a crash
 * never separates "seqNo 5 was sent" from "next seqNo is 6", and batched samples held here are
 * as durable as the outbox. The mapping part is stored row by row (mapping-repo.ts).
 */
import type { EvseMapping } from './evse-mapping.js';
import type { IdTokenRules } from './id-tokens.js';
import type { IdToken2x, MeterValue2xOut, UpstreamVersion } from './wire-2x.js';

/** One open transaction, as the upstream CSMS knows it. */
export interface HubTransaction {
  /** The upstream transactionId (hub-made for 1.6 chargers). */
  transactionId: string;
  stationId: string;
  /** The charger's own id: the 1.6 integer as a decimal string, or the 2.x charger's string. */
  chargerTransactionId: string;
  /** true for a 1.6 charger (the hub numbers the events); false for 2.x (the charger does). */
  legacy: boolean;
  evseId: number;
  connectorId: number;
  upstreamEvseId: number;
  upstreamConnectorId: number;
  /** seqNo of the next event the hub sends for this transaction. */
  nextSeqNo: number;
  idToken?: IdToken2x;
  chargingState?: string;
  startedMs: number;
  /** Periodic samples held back for one batched TransactionEvent (batching.ts). */
  pendingSamples?: MeterValue2xOut[];
  /** When the first held-back sample arrived (receive time), for the window. */
  pendingSinceMs?: number;
  /** A held-back sample arrived while the upstream link was down. */
  pendingOffline?: boolean;
}

/** A RequestStartTransaction sent to a charger, waiting for its StartTransaction. */
export interface PendingRemoteStart {
  stationId: string;
  /** Downstream EVSE, or undefined when the charger may pick the connector. */
  evseId?: number;
  remoteStartId: number;
  idToken: IdToken2x;
  expiresAtMs: number;
}

/** What the hub last told the CSMS about a downstream connector. */
export interface ConnectorMemo {
  /** Last 2.x connectorStatus sent upstream. */
  status?: string;
  /** Last 1.6 status (Preparing, Charging, ...), for the transaction's chargingState. */
  detail16?: string;
  /** An open 1.6 error reported with NotifyEvent, to be cleared when NoError returns. */
  problem?: { errorCode: string; eventIds: number[] };
  /** Send the next status even when unchanged (set by a TriggerMessage StatusNotification). */
  forceNext?: boolean;
  /**
   * A 1.6 charger was asked (TriggerMessage) for MeterValues or a TransactionEvent here: its next
   * triggered MeterValues goes upstream as that message, until `untilMs`.
   */
  trigger?: { requestedMessage: 'MeterValues' | 'TransactionEvent'; untilMs: number };
  /** The charger is not connected: the hub reported this connector Unavailable for it. */
  away?: boolean;
  /** The status sent before the charger went away, restored when it is back. */
  beforeAway?: string;
}

/** A 1.6 charger reset the hub holds back until no transaction runs on the charger (Reset OnIdle). */
export interface PendingReset {
  stationId: string;
  type: 'Soft' | 'Hard';
  requestedMs: number;
}

/** An id token the CSMS named (RequestStartTransaction, ...): a 1.6 idTag equal to it goes back up with this type. */
export interface CsmsToken {
  idToken: string;
  type: string;
}

export interface HubState {
  mapping: EvseMapping;
  /** Open transactions by `txKey(stationId, chargerTransactionId)`. */
  transactions: Record<string, HubTransaction>;
  /** Keys of recently ended transactions (newest last, bounded), so a repeated Stop is not a second Ended. */
  recentlyEnded: string[];
  remoteStarts: PendingRemoteStart[];
  /** By `connectorKey(stationId, evseId, connectorId)`; 1.6 connector N is (N, 1). */
  connectors: Record<string, ConnectorMemo>;
  /** Next hub-made 1.6 integer transaction id when the caller does not give one. */
  nextChargerTransactionId: number;
  /** Next upstream NotifyEvent eventId. */
  nextEventId: number;
  /** Charger eventId -> upstream eventId (bounded), so `cause` still points at the right event. */
  eventIds: { stationId: string; chargerEventId: number; eventId: number }[];
  /** Resets waiting for their charger to be idle (absent in states stored before). */
  pendingResets?: PendingReset[];
  /** Id tokens the CSMS named, newest last (bounded). */
  csmsTokens?: CsmsToken[];
  /** The last LogStatusNotification / FirmwareStatusNotification sent upstream (station-wide triggers). */
  lastNotified?: { LogStatusNotification?: Record<string, unknown>; FirmwareStatusNotification?: Record<string, unknown> };
}

export interface HubModeConfig {
  upstreamVersion: UpstreamVersion;
  /**
   * Periodic samples of a transaction arriving within this window go upstream as ONE
   * TransactionEvent whose meterValue array holds every sample with its own timestamp.
   * 0 sends each sample at once.
   */
  batchWindowS: number;
  /** How long a RequestStartTransaction waits for the charger's StartTransaction. */
  remoteStartTtlS: number;
  /** How 1.6 idTags are typed upstream (id-tokens.ts); default DEFAULT_ID_TOKEN_RULES. */
  idTokenRules?: IdTokenRules;
}

export const DEFAULT_HUB_MODE_CONFIG: HubModeConfig = { upstreamVersion: '2.0.1', batchWindowS: 0, remoteStartTtlS: 600 };

export const CSMS_TOKENS_MAX = 256;

export const RECENTLY_ENDED_MAX = 256;
export const EVENT_ID_MAP_MAX = 256;

export function initialHubState(mapping: EvseMapping): HubState {
  return {
    mapping,
    transactions: {},
    recentlyEnded: [],
    remoteStarts: [],
    connectors: {},
    nextChargerTransactionId: 1,
    nextEventId: 1,
    eventIds: [],
  };
}

export function txKey(stationId: string, chargerTransactionId: string): string {
  return `${stationId}\u0000${chargerTransactionId}`;
}

export function connectorKey(stationId: string, evseId: number, connectorId: number): string {
  return `${stationId}\u0000${evseId}\u0000${connectorId}`;
}

/** The open transaction on a downstream EVSE, if any. */
export function openTransactionOn(state: HubState, stationId: string, evseId: number): HubTransaction | undefined {
  return Object.values(state.transactions).find((t) => t.stationId === stationId && t.evseId === evseId);
}

/** The open transaction with this upstream transactionId, if any. */
export function transactionByUpstreamId(state: HubState, transactionId: string): HubTransaction | undefined {
  return Object.values(state.transactions).find((t) => t.transactionId === transactionId);
}

export function withTransaction(state: HubState, tx: HubTransaction): HubState {
  return { ...state, transactions: { ...state.transactions, [txKey(tx.stationId, tx.chargerTransactionId)]: tx } };
}

export function withoutTransaction(state: HubState, tx: HubTransaction): HubState {
  const key = txKey(tx.stationId, tx.chargerTransactionId);
  const { [key]: _gone, ...rest } = state.transactions;
  return { ...state, transactions: rest, recentlyEnded: [...state.recentlyEnded, key].slice(-RECENTLY_ENDED_MAX) };
}

export function withConnector(state: HubState, key: string, memo: ConnectorMemo): HubState {
  return { ...state, connectors: { ...state.connectors, [key]: memo } };
}
