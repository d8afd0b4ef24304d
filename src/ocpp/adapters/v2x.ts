/** OCPP 2.0.1 / 2.1 <-> internal model: mostly renaming, numbers stay numbers. */
import type { ConnectorState, ConnectorStatus, MeterValue, SampledValue, TransactionEvent, TransactionEventType } from '../../model/types.js';
import { finiteSampledValue, parseTime, readValues } from './v16.js';

export interface SampledValue2x {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}
export interface MeterValue2x {
  timestamp: string;
  sampledValue: SampledValue2x[];
}
export interface TransactionEvent2x {
  eventType: TransactionEventType;
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  transactionInfo: { transactionId: string; chargingState?: string; stoppedReason?: string; remoteStartId?: number };
  idToken?: { idToken: string; type: string };
  evse?: { id: number; connectorId?: number };
  meterValue?: MeterValue2x[];
}
export interface StatusNotification2x {
  timestamp: string;
  connectorStatus: ConnectorStatus;
  evseId: number;
  connectorId: number;
}

export function meterValueOf2x(mv: MeterValue2x, receivedMs: number): MeterValue {
  return {
    timeMs: parseTime(mv.timestamp, receivedMs),
    ...readValues(mv.sampledValue, sampledValueOf2x, (s) => `${s.value}e${s.unitOfMeasure?.multiplier ?? 0}`),
  };
}

/**
 * One sampled value with its multiplier applied; undefined when that is no finite number (a large
 * value times a large power of ten overflows to Infinity, 0 times an overflowed one is NaN), as
 * 1.6 drops a value that does not parse: no later sum may take it.
 */
function sampledValueOf2x(s: SampledValue2x): SampledValue | undefined {
  const multiplier = s.unitOfMeasure?.multiplier ?? 0;
  return finiteSampledValue(multiplier === 0 ? s.value : s.value * 10 ** multiplier, s, s.unitOfMeasure?.unit ?? 'Wh');
}

export function transactionEventOf2x(stationId: string, p: TransactionEvent2x, receivedMs: number, activeEvseId?: number): TransactionEvent {
  const evseId = p.evse?.id ?? activeEvseId;
  return {
    stationId,
    transactionId: p.transactionInfo.transactionId,
    eventType: p.eventType,
    seqNo: p.seqNo,
    timeMs: parseTime(p.timestamp, receivedMs),
    triggerReason: p.triggerReason,
    ...(evseId !== undefined ? { evseId } : {}),
    ...(p.evse?.connectorId !== undefined ? { connectorId: p.evse.connectorId } : {}),
    ...(p.idToken ? { idToken: p.idToken.idToken } : {}),
    ...(p.transactionInfo.chargingState ? { chargingState: p.transactionInfo.chargingState } : {}),
    ...(p.transactionInfo.stoppedReason ? { stoppedReason: p.transactionInfo.stoppedReason } : {}),
    ...(p.offline ? { offline: true } : {}),
    meterValues: (p.meterValue ?? []).map((mv) => meterValueOf2x(mv, receivedMs)),
    raw: p,
  };
}

export function connectorStateOf2x(stationId: string, p: StatusNotification2x, receivedMs: number): ConnectorState {
  return {
    stationId,
    evseId: p.evseId,
    connectorId: p.connectorId,
    status: p.connectorStatus,
    updatedMs: parseTime(p.timestamp, receivedMs),
  };
}
