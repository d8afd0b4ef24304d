import type { MeterValue, SampledValue, TransactionEvent, TransactionEventType, TransactionSummary } from '../model/types.js';
import type { RegisterSpan } from './register-span.js';

/** A row of `transactions`. */
export interface SummaryRow {
  station_id: string;
  transaction_id: string;
  evse_id: number;
  connector_id: number;
  id_token: string | null;
  started_ms: number;
  ended_ms: number | null;
  meter_start_wh: number | null;
  meter_stop_wh: number | null;
  energy_wh: number | null;
  stopped_reason: string | null;
  last_seq_no: number;
  status: 'Active' | 'Ended';
  register_first_ms: number | null;
  register_first_rank: number | null;
  register_last_ms: number | null;
  register_last_rank: number | null;
  register_last_wh: number | null;
}

/** A row of `transaction_events`. */
export interface EventRow {
  id: number;
  station_id: string;
  transaction_id: string;
  seq_no: number;
  event_type: TransactionEventType;
  time_ms: number;
  trigger_reason: string;
  evse_id: number | null;
  connector_id: number | null;
  id_token: string | null;
  charging_state: string | null;
  stopped_reason: string | null;
  offline: number | null;
  raw_json: string | null;
}

/** A row of `meter_samples` with its event's seqNo. */
export interface SampleRow {
  event_id: number;
  seq_no: number;
  mv_index: number;
  time_ms: number;
  value: number;
  measurand: string;
  phase: string | null;
  context: string | null;
  location: string | null;
  unit: string | null;
}

/** A row of `transaction_events` before it is stored (the database gives its id). */
export type NewEventRow = Omit<EventRow, 'id'>;

export function toEventRow(ev: TransactionEvent): NewEventRow {
  return {
    station_id: ev.stationId,
    transaction_id: ev.transactionId,
    seq_no: ev.seqNo,
    event_type: ev.eventType,
    time_ms: ev.timeMs,
    trigger_reason: ev.triggerReason,
    evse_id: ev.evseId ?? null,
    connector_id: ev.connectorId ?? null,
    id_token: ev.idToken ?? null,
    charging_state: ev.chargingState ?? null,
    stopped_reason: ev.stoppedReason ?? null,
    offline: ev.offline === undefined ? null : ev.offline ? 1 : 0,
    raw_json: ev.raw === undefined ? null : JSON.stringify(ev.raw),
  };
}

/** The register span a summary row records. */
export function spanOf(row: SummaryRow): RegisterSpan {
  const span: RegisterSpan = {};
  if (row.register_first_ms !== null && row.meter_start_wh !== null) {
    span.first = { timeMs: row.register_first_ms, rank: row.register_first_rank ?? 1, wh: row.meter_start_wh };
  }
  if (row.register_last_ms !== null && row.register_last_wh !== null) {
    span.last = { timeMs: row.register_last_ms, rank: row.register_last_rank ?? 1, wh: row.register_last_wh };
  }
  return span;
}

/**
 * The summary row after a new (not duplicate) event: ids taken from the first event that has
 * them, earliest start, highest seqNo, closed for good by Ended; energy from the register span.
 */
export function summaryAfter(row: SummaryRow, ev: NewEventRow, span: RegisterSpan): SummaryRow {
  const ended = ev.event_type === 'Ended';
  const status = ended ? 'Ended' : row.status;
  const startWh = span.first?.wh ?? null;
  const lastWh = span.last?.wh ?? null;
  return {
    ...row,
    evse_id: row.evse_id === 0 && ev.evse_id !== null ? ev.evse_id : row.evse_id,
    connector_id: row.connector_id === 0 && ev.connector_id !== null ? ev.connector_id : row.connector_id,
    id_token: row.id_token ?? ev.id_token,
    started_ms: Math.min(row.started_ms, ev.time_ms),
    last_seq_no: Math.max(row.last_seq_no, ev.seq_no),
    status,
    ended_ms: ended ? ev.time_ms : row.ended_ms,
    stopped_reason: ended ? ev.stopped_reason : row.stopped_reason,
    meter_start_wh: startWh ?? row.meter_start_wh,
    energy_wh: startWh !== null && lastWh !== null ? lastWh - startWh : row.energy_wh,
    meter_stop_wh: status === 'Ended' ? (lastWh ?? row.meter_stop_wh) : null,
    register_first_ms: span.first?.timeMs ?? null,
    register_first_rank: span.first?.rank ?? null,
    register_last_ms: span.last?.timeMs ?? null,
    register_last_rank: span.last?.rank ?? null,
    register_last_wh: lastWh,
  };
}

/** True when the change touches an indexed column or anything but the running figures. */
export function changesMoreThanProgress(before: SummaryRow, after: SummaryRow): boolean {
  return (
    before.evse_id !== after.evse_id ||
    before.connector_id !== after.connector_id ||
    before.id_token !== after.id_token ||
    before.started_ms !== after.started_ms ||
    before.status !== after.status ||
    before.ended_ms !== after.ended_ms ||
    before.stopped_reason !== after.stopped_reason ||
    before.meter_stop_wh !== after.meter_stop_wh
  );
}

export function toSummary(row: SummaryRow): TransactionSummary {
  return {
    stationId: row.station_id,
    transactionId: row.transaction_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    idToken: row.id_token ?? undefined,
    startedMs: row.started_ms,
    endedMs: row.ended_ms ?? undefined,
    meterStartWh: row.meter_start_wh ?? undefined,
    meterStopWh: row.meter_stop_wh ?? undefined,
    energyWh: row.energy_wh ?? undefined,
    stoppedReason: row.stopped_reason ?? undefined,
    lastSeqNo: row.last_seq_no,
    status: row.status,
  };
}

export function toSampledValue(row: SampleRow): SampledValue {
  return {
    value: row.value,
    measurand: row.measurand,
    phase: row.phase ?? undefined,
    context: row.context ?? undefined,
    location: row.location ?? undefined,
    unit: row.unit ?? undefined,
  };
}

export function toEvent(row: EventRow, meterValues: MeterValue[]): TransactionEvent {
  const raw: unknown = row.raw_json === null ? undefined : JSON.parse(row.raw_json);
  return {
    stationId: row.station_id,
    transactionId: row.transaction_id,
    eventType: row.event_type,
    seqNo: row.seq_no,
    timeMs: row.time_ms,
    triggerReason: row.trigger_reason,
    evseId: row.evse_id ?? undefined,
    connectorId: row.connector_id ?? undefined,
    idToken: row.id_token ?? undefined,
    chargingState: row.charging_state ?? undefined,
    stoppedReason: row.stopped_reason ?? undefined,
    offline: row.offline === null ? undefined : row.offline === 1,
    meterValues,
    raw,
  };
}
