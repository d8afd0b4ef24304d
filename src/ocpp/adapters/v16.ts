/**
 * OCPP 1.6 <-> internal model. 1.6 connectorId N is EVSE N, connector 1; connectorId 0 is the
 * station itself (EVSE 0). Transaction ids are integers on the wire and strings inside.
 */
import type { ConnectorState, ConnectorStatus, MeterValue, SampledValue, TransactionEvent, UnreadableValue } from '../../model/types.js';

export interface SampledValue16 {
  value: string;
  context?: string;
  format?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unit?: string;
}
export interface MeterValue16 {
  timestamp: string;
  sampledValue: SampledValue16[];
}
export interface StatusNotification16 {
  connectorId: number;
  errorCode: string;
  status: string;
  timestamp?: string;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}
export interface StartTransaction16 {
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: string;
  reservationId?: number;
}
export interface StopTransaction16 {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  idTag?: string;
  reason?: string;
  transactionData?: MeterValue16[];
}

export const STATUS_16_TO_2X: Record<string, ConnectorStatus> = {
  Available: 'Available',
  Preparing: 'Occupied',
  Charging: 'Occupied',
  SuspendedEV: 'Occupied',
  SuspendedEVSE: 'Occupied',
  Finishing: 'Occupied',
  Reserved: 'Reserved',
  Unavailable: 'Unavailable',
  Faulted: 'Faulted',
};

/** 1.6 charging detail -> 2.x chargingState of the running transaction. */
export const CHARGING_STATE_OF_16: Record<string, string> = {
  Preparing: 'EVConnected',
  Charging: 'Charging',
  SuspendedEV: 'SuspendedEV',
  SuspendedEVSE: 'SuspendedEVSE',
  Finishing: 'Idle',
};

export function connectorStateOf16(stationId: string, p: StatusNotification16, receivedMs: number): ConnectorState {
  return {
    stationId,
    evseId: p.connectorId,
    connectorId: p.connectorId === 0 ? 0 : 1,
    status: STATUS_16_TO_2X[p.status] ?? 'Unavailable',
    detail: p.status,
    ...(p.errorCode !== 'NoError' ? { errorCode: p.errorCode } : {}),
    updatedMs: p.timestamp ? parseTime(p.timestamp, receivedMs) : receivedMs,
  };
}

export function parseTime(iso: string, fallbackMs: number): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : fallbackMs;
}

function sampledValueOf16(s: SampledValue16): SampledValue | undefined {
  // A blank string would read as 0 (Number('') is 0): it is no reading.
  return finiteSampledValue(s.value.trim() === '' ? Number.NaN : Number(s.value), s, s.unit ?? 'Wh');
}

/**
 * A sampled value in the hub's model from a reading already in numbers (either version), or
 * undefined when the number is not finite: no later sum may take it.
 */
export function finiteSampledValue(value: number, s: { measurand?: string; phase?: string; context?: string; location?: string }, unit: string): SampledValue | undefined {
  if (!Number.isFinite(value)) return undefined;
  return {
    value,
    measurand: s.measurand ?? 'Energy.Active.Import.Register',
    ...(s.phase ? { phase: s.phase } : {}),
    ...(s.context ? { context: s.context } : {}),
    ...(s.location ? { location: s.location } : {}),
    unit,
  };
}

export function meterValueOf16(mv: MeterValue16, receivedMs: number): MeterValue {
  return { timeMs: parseTime(mv.timestamp, receivedMs), ...readValues(mv.sampledValue, sampledValueOf16, (s) => s.value) };
}

/**
 * The sampled values `convert` turns into the model's, and `unreadable` for those it finds no
 * finite number (`sentOf` gives the value as sent), left out when there are none.
 */
export function readValues<S extends { measurand?: string; phase?: string; location?: string }>(
  values: readonly S[],
  convert: (s: S) => SampledValue | undefined,
  sentOf: (s: S) => string,
): Pick<MeterValue, 'sampledValues' | 'unreadable'> {
  const sampledValues: SampledValue[] = [];
  let unreadable: UnreadableValue[] | undefined;
  for (const s of values) {
    const sv = convert(s);
    if (sv !== undefined) sampledValues.push(sv);
    else (unreadable ??= []).push({ measurand: s.measurand ?? 'Energy.Active.Import.Register', ...(s.phase ? { phase: s.phase } : {}), ...(s.location ? { location: s.location } : {}), sent: sentOf(s) });
  }
  return unreadable ? { sampledValues, unreadable } : { sampledValues };
}

function registerReading(valueWh: number, timeMs: number, context: string): MeterValue {
  return { timeMs, sampledValues: [{ value: valueWh, measurand: 'Energy.Active.Import.Register', context, unit: 'Wh' }] };
}

export function startedEventOf16(stationId: string, transactionId: string, p: StartTransaction16, receivedMs: number): TransactionEvent {
  const timeMs = parseTime(p.timestamp, receivedMs);
  return {
    stationId,
    transactionId,
    eventType: 'Started',
    seqNo: 0,
    timeMs,
    triggerReason: 'Authorized',
    evseId: p.connectorId,
    connectorId: 1,
    idToken: p.idTag,
    chargingState: 'Charging',
    meterValues: [registerReading(p.meterStart, timeMs, 'Transaction.Begin')],
    raw: p,
  };
}

export function updatedEventOf16(stationId: string, transactionId: string, seqNo: number, evseId: number, values: MeterValue16[], receivedMs: number): TransactionEvent {
  const meterValues = values.map((mv) => meterValueOf16(mv, receivedMs));
  const context = values[0]?.sampledValue[0]?.context ?? 'Sample.Periodic';
  return {
    stationId,
    transactionId,
    eventType: 'Updated',
    seqNo,
    timeMs: meterValues[0]?.timeMs ?? receivedMs,
    triggerReason: context === 'Sample.Periodic' ? 'MeterValuePeriodic' : context === 'Sample.Clock' ? 'MeterValueClock' : 'MeterValuePeriodic',
    evseId,
    connectorId: 1,
    meterValues,
    raw: values,
  };
}

/** 1.6 stop reason -> 2.x stoppedReason (same names except where 2.x renamed them). */
export const STOP_REASON_16_TO_2X: Record<string, string> = {
  EmergencyStop: 'EmergencyStop',
  EVDisconnected: 'EVDisconnected',
  HardReset: 'ImmediateReset',
  Local: 'Local',
  Other: 'Other',
  PowerLoss: 'PowerLoss',
  Reboot: 'Reboot',
  Remote: 'Remote',
  SoftReset: 'Reboot',
  UnlockCommand: 'UnlockCommand',
  DeAuthorized: 'DeAuthorized',
};

export function endedEventOf16(stationId: string, seqNo: number, evseId: number, p: StopTransaction16, receivedMs: number): TransactionEvent {
  const timeMs = parseTime(p.timestamp, receivedMs);
  const data = (p.transactionData ?? []).map((mv) => meterValueOf16(mv, receivedMs));
  return {
    stationId,
    transactionId: String(p.transactionId),
    eventType: 'Ended',
    seqNo,
    timeMs,
    triggerReason: p.reason === 'Remote' ? 'RemoteStop' : p.reason === 'EVDisconnected' ? 'EVCommunicationLost' : 'StopAuthorized',
    evseId,
    connectorId: 1,
    ...(p.idTag ? { idToken: p.idTag } : {}),
    stoppedReason: STOP_REASON_16_TO_2X[p.reason ?? 'Local'] ?? 'Other',
    meterValues: [...data, registerReading(p.meterStop, timeMs, 'Transaction.End')],
    raw: p,
  };
}
