/**
 * The hub's version-neutral model of what stations report, in OCPP 2.x terms: a station has
 * EVSEs (1..n), an EVSE has connectors (1..n), a transaction is a sequence of events with
 * sequence numbers. The v1.6 adapter maps connectorId N to EVSE N, connector 1.
 */
import type { OcppVersion } from '../ocpp/versions.js';

/** 2.x connector status; 1.6 statuses map onto it (the 1.6 detail is kept in `detail`). */
export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

export interface ConnectorState {
  stationId: string;
  evseId: number;
  connectorId: number;
  status: ConnectorStatus;
  /** The wire status when it says more (1.6 Charging, SuspendedEV, ...). */
  detail?: string;
  errorCode?: string;
  updatedMs: number;
}

export interface StationInfo {
  stationId: string;
  version: OcppVersion;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  bootStatus?: 'Accepted' | 'Pending' | 'Rejected';
  lastBootMs?: number;
  lastSeenMs?: number;
  connected: boolean;
}

export type TransactionEventType = 'Started' | 'Updated' | 'Ended';

/** One sampled value, 2.x style. Numbers, not strings; unit as unitOfMeasure.unit. */
export interface SampledValue {
  value: number;
  measurand?: string;
  phase?: string;
  context?: string;
  location?: string;
  unit?: string;
}

export interface MeterValue {
  timeMs: number;
  sampledValues: SampledValue[];
  /**
   * Sampled values left out because their value is no finite number (1.6: a string that does not
   * parse, 2.x: a value that overflows with its multiplier): what they were, for whoever tells the
   * operator. Absent when there were none.
   */
  unreadable?: UnreadableValue[];
}

/** A sampled value whose value is no finite number: its measurand (OCPP's default filled in), phase and location, and the value as sent. */
export interface UnreadableValue {
  measurand: string;
  phase?: string;
  location?: string;
  /** The value as the charger sent it (1.6: the string; 2.x: the number and its multiplier, as text). */
  sent: string;
}

export interface TransactionEvent {
  stationId: string;
  /** Hub-wide transaction id (2.x transactionId, or the 1.6 integer as a string). */
  transactionId: string;
  eventType: TransactionEventType;
  seqNo: number;
  timeMs: number;
  triggerReason: string;
  evseId?: number;
  connectorId?: number;
  idToken?: string;
  chargingState?: string;
  stoppedReason?: string;
  offline?: boolean;
  meterValues: MeterValue[];
  /** The raw payload as received, for audit. */
  raw?: unknown;
}

export interface TransactionSummary {
  stationId: string;
  transactionId: string;
  evseId: number;
  connectorId: number;
  idToken?: string;
  startedMs: number;
  endedMs?: number;
  meterStartWh?: number;
  meterStopWh?: number;
  energyWh?: number;
  stoppedReason?: string;
  lastSeqNo: number;
  status: 'Active' | 'Ended';
}

export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface AuthorizationEntry {
  idToken: string;
  status: AuthorizationStatus;
  expiryMs?: number;
  parentIdToken?: string;
}
