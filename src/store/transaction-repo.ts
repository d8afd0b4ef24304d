import type Database from 'better-sqlite3';
import type {
  MeterValue,
  SampledValue,
  TransactionEvent,
  TransactionEventType,
  TransactionSummary,
} from '../model/types.js';
import { Statements } from './statements.js';

export interface TransactionRepoDeps {
  db: Database.Database;
}

/** What recordEvent did. A duplicate (same station, transaction and seqNo) changes nothing. */
export interface RecordEventResult {
  duplicate: boolean;
  /** The transaction's summary after the event (unchanged for a duplicate). */
  summary: TransactionSummary;
}

/** One stored sampled value with the event it came in. */
export interface TransactionSample extends SampledValue {
  seqNo: number;
  timeMs: number;
  /** Always set: OCPP's default measurand (Energy.Active.Import.Register) is filled in. */
  measurand: string;
}

export interface ListTransactionsQuery {
  status?: TransactionSummary['status'];
  stationId?: string;
  /** Most recent first; default 100. */
  limit?: number;
}

/** OCPP's default when a sampled value names no measurand. */
export const ENERGY_REGISTER_MEASURAND = 'Energy.Active.Import.Register';
const DEFAULT_LIST_LIMIT = 100;

interface SummaryRow {
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
}

interface EventRow {
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

interface SampleRow {
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

interface RegisterRow {
  value: number;
  unit: string | null;
}

interface EventParams {
  stationId: string;
  transactionId: string;
  seqNo: number;
  eventType: TransactionEventType;
  timeMs: number;
  triggerReason: string;
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  chargingState: string | null;
  stoppedReason: string | null;
  offline: number | null;
  rawJson: string | null;
}

interface SampleParams {
  eventId: number | bigint;
  stationId: string;
  transactionId: string;
  mvIndex: number;
  timeMs: number;
  value: number;
  measurand: string;
  phase: string | null;
  context: string | null;
  location: string | null;
  unit: string | null;
}

type TxKey = [stationId: string, transactionId: string];

/**
 * Transactions as sequences of events (OCPP 2.x terms), their meter samples, and one summary
 * row per transaction kept up to date as events arrive.
 *
 * Summary rules (events may arrive out of order, e.g. replayed after an outage):
 * - the first event seen for a transaction creates the summary (Active); an Ended event closes
 *   it for good (a late Updated does not reopen it);
 * - startedMs is the earliest event time; lastSeqNo the highest seqNo;
 * - evseId / connectorId / idToken are taken from the first event that carries them (0 = unknown);
 * - sampled values that are not finite numbers are not stored (the event still is);
 * - meterStartWh is the first Energy.Active.Import.Register sample (by time, Transaction.Begin
 *   first among equal times; the phase total only, kWh converted to Wh), energyWh is last minus
 *   first (the energy so far while Active), meterStopWh is the last register sample once Ended.
 */
export class TransactionRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly insertSummary: Database.Statement<[EventParams]>;
  private readonly insertEvent: Database.Statement<[EventParams]>;
  private readonly insertSample: Database.Statement<[SampleParams]>;
  private readonly updateSummary: Database.Statement<[EventParams]>;
  private readonly firstRegister: Database.Statement<TxKey, RegisterRow>;
  private readonly lastRegister: Database.Statement<TxKey, RegisterRow>;
  private readonly updateEnergy: Database.Statement<
    [start: number | null, stop: number | null, energy: number | null, ...key: TxKey]
  >;
  private readonly selectSummary: Database.Statement<TxKey, SummaryRow>;
  private readonly bumpLegacyId: Database.Statement<[], { value: number }>;
  private readonly recordTx: Database.Transaction<(ev: TransactionEvent) => RecordEventResult>;

  constructor(deps: TransactionRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
    this.insertSummary = this.sql.prepare(
      `INSERT INTO transactions (station_id, transaction_id, evse_id, connector_id, id_token,
         started_ms, last_seq_no, status)
       VALUES (@stationId, @transactionId, COALESCE(@evseId, 0), COALESCE(@connectorId, 0), @idToken,
         @timeMs, @seqNo, 'Active')
       ON CONFLICT (station_id, transaction_id) DO NOTHING`,
    );
    this.insertEvent = this.sql.prepare(
      `INSERT INTO transaction_events (station_id, transaction_id, seq_no, event_type, time_ms,
         trigger_reason, evse_id, connector_id, id_token, charging_state, stopped_reason, offline, raw_json)
       VALUES (@stationId, @transactionId, @seqNo, @eventType, @timeMs, @triggerReason, @evseId,
         @connectorId, @idToken, @chargingState, @stoppedReason, @offline, @rawJson)
       ON CONFLICT (station_id, transaction_id, seq_no) DO NOTHING`,
    );
    this.insertSample = this.sql.prepare(
      `INSERT INTO meter_samples (event_id, station_id, transaction_id, mv_index, time_ms, value,
         measurand, phase, context, location, unit)
       VALUES (@eventId, @stationId, @transactionId, @mvIndex, @timeMs, @value, @measurand, @phase,
         @context, @location, @unit)`,
    );
    this.updateSummary = this.sql.prepare(
      `UPDATE transactions SET
         evse_id = CASE WHEN evse_id = 0 AND @evseId IS NOT NULL THEN @evseId ELSE evse_id END,
         connector_id = CASE WHEN connector_id = 0 AND @connectorId IS NOT NULL
                        THEN @connectorId ELSE connector_id END,
         id_token = COALESCE(id_token, @idToken),
         started_ms = MIN(started_ms, @timeMs),
         last_seq_no = MAX(last_seq_no, @seqNo),
         status = CASE WHEN @eventType = 'Ended' THEN 'Ended' ELSE status END,
         ended_ms = CASE WHEN @eventType = 'Ended' THEN @timeMs ELSE ended_ms END,
         stopped_reason = CASE WHEN @eventType = 'Ended' THEN @stoppedReason ELSE stopped_reason END
       WHERE station_id = @stationId AND transaction_id = @transactionId`,
    );
    const registerQuery = (order: string): string =>
      `SELECT value, unit FROM meter_samples
       WHERE station_id = ? AND transaction_id = ? AND measurand = '${ENERGY_REGISTER_MEASURAND}'
         AND phase IS NULL
       ORDER BY ${order} LIMIT 1`;
    this.firstRegister = this.sql.prepare(
      registerQuery(`time_ms ASC, CASE context WHEN 'Transaction.Begin' THEN 0 ELSE 1 END, id ASC`),
    );
    this.lastRegister = this.sql.prepare(
      registerQuery(`time_ms DESC, CASE context WHEN 'Transaction.End' THEN 0 ELSE 1 END, id DESC`),
    );
    this.updateEnergy = this.sql.prepare(
      `UPDATE transactions SET meter_start_wh = ?, meter_stop_wh = ?, energy_wh = ?
       WHERE station_id = ? AND transaction_id = ?`,
    );
    this.selectSummary = this.sql.prepare(
      'SELECT * FROM transactions WHERE station_id = ? AND transaction_id = ?',
    );
    this.bumpLegacyId = this.sql.prepare(
      `UPDATE counters SET value = value + 1 WHERE name = 'legacy_transaction_id' RETURNING value`,
    );
    this.recordTx = this.db.transaction((ev: TransactionEvent) => this.recordInTransaction(ev));
  }

  /**
   * Stores the event, its samples and the updated summary in one transaction; durable when it
   * returns. A repeated (stationId, transactionId, seqNo) is ignored and reported as duplicate.
   */
  recordEvent(ev: TransactionEvent): RecordEventResult {
    return this.recordTx.immediate(ev);
  }

  /**
   * Next hub-assigned OCPP 1.6 transaction id: 1, 2, 3, ...; persisted, so never reused after a
   * restart. Each call consumes an id.
   */
  nextLegacyTransactionId(): number {
    const row = this.bumpLegacyId.get();
    if (!row) throw new Error('counter legacy_transaction_id is missing from the schema');
    return row.value;
  }

  /** Active transactions of a station (optionally on one EVSE), oldest first. */
  findActive(stationId: string, evseId?: number): TransactionSummary[] {
    const rows =
      evseId === undefined
        ? this.sql
            .prepare<[string], SummaryRow>(
              `SELECT * FROM transactions WHERE status = 'Active' AND station_id = ?
               ORDER BY started_ms, transaction_id`,
            )
            .all(stationId)
        : this.sql
            .prepare<[string, number], SummaryRow>(
              `SELECT * FROM transactions WHERE status = 'Active' AND station_id = ? AND evse_id = ?
               ORDER BY started_ms, transaction_id`,
            )
            .all(stationId, evseId);
    return rows.map(toSummary);
  }

  get(stationId: string, transactionId: string): TransactionSummary | undefined {
    const row = this.selectSummary.get(stationId, transactionId);
    return row ? toSummary(row) : undefined;
  }

  /** The last chargingState the transaction's events reported (2.x: Charging, SuspendedEV, ...), if any. */
  lastChargingState(stationId: string, transactionId: string): string | undefined {
    const row = this.sql
      .prepare<TxKey, { charging_state: string }>(
        `SELECT charging_state FROM transaction_events
         WHERE station_id = ? AND transaction_id = ? AND charging_state IS NOT NULL
         ORDER BY seq_no DESC LIMIT 1`,
      )
      .get(stationId, transactionId);
    return row?.charging_state;
  }

  /** Summaries, most recently started first. */
  list(query: ListTransactionsQuery = {}): TransactionSummary[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.stationId !== undefined) {
      where.push('station_id = ?');
      params.push(query.stationId);
    }
    params.push(Math.max(0, Math.floor(query.limit ?? DEFAULT_LIST_LIMIT)));
    const sql =
      'SELECT * FROM transactions' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY started_ms DESC, station_id, transaction_id LIMIT ?';
    return this.sql.prepare<(string | number)[], SummaryRow>(sql).all(...params).map(toSummary);
  }

  /** The transaction's events in seqNo order, with their meter values as recorded. */
  events(stationId: string, transactionId: string): TransactionEvent[] {
    const eventRows = this.sql
      .prepare<TxKey, EventRow>(
        'SELECT * FROM transaction_events WHERE station_id = ? AND transaction_id = ? ORDER BY seq_no',
      )
      .all(stationId, transactionId);
    const meterValuesByEvent = new Map<number, MeterValue[]>();
    for (const s of this.sampleRows(stationId, transactionId, undefined, 'm.event_id, m.mv_index, m.id')) {
      const list = meterValuesByEvent.get(s.event_id) ?? [];
      meterValuesByEvent.set(s.event_id, list);
      let mv = list[s.mv_index];
      if (!mv) {
        mv = { timeMs: s.time_ms, sampledValues: [] };
        list[s.mv_index] = mv;
      }
      mv.sampledValues.push(toSampledValue(s));
    }
    return eventRows.map((row) => toEvent(row, (meterValuesByEvent.get(row.id) ?? []).filter(Boolean)));
  }

  /** The transaction's sampled values by time (optionally one measurand). */
  samples(stationId: string, transactionId: string, options: { measurand?: string } = {}): TransactionSample[] {
    return this.sampleRows(stationId, transactionId, options.measurand, 'm.time_ms, m.id').map((s) => ({
      ...toSampledValue(s),
      measurand: s.measurand,
      seqNo: s.seq_no,
      timeMs: s.time_ms,
    }));
  }

  /** The transaction recorded last on the station's EVSE (by recording order), whatever its status. */
  latestOn(stationId: string, evseId: number): TransactionSummary | undefined {
    const row = this.sql
      .prepare<[string, number], SummaryRow>('SELECT * FROM transactions WHERE station_id = ? AND evse_id = ? ORDER BY rowid DESC LIMIT 1')
      .get(stationId, evseId);
    return row ? toSummary(row) : undefined;
  }

  /**
   * Among the transaction's last `lastN` events (by seqNo), the one whose recorded wire payload
   * (raw) is exactly `raw` (compared as JSON text): how a station's retry of a message is
   * recognised.
   */
  findEventByRaw(stationId: string, transactionId: string, raw: unknown, lastN: number): { seqNo: number; eventType: TransactionEventType } | undefined {
    const row = this.sql
      .prepare<[string, string, number, string], { seq_no: number; event_type: TransactionEventType }>(
        `SELECT seq_no, event_type FROM (
           SELECT seq_no, event_type, raw_json FROM transaction_events WHERE station_id = ? AND transaction_id = ?
           ORDER BY seq_no DESC LIMIT ?)
         WHERE raw_json = ? LIMIT 1`,
      )
      .get(stationId, transactionId, Math.max(1, Math.floor(lastN)), JSON.stringify(raw));
    return row ? { seqNo: row.seq_no, eventType: row.event_type } : undefined;
  }

  /** True when the event (station, transaction, seqNo) is recorded. */
  hasEvent(stationId: string, transactionId: string, seqNo: number): boolean {
    return (
      this.sql
        .prepare<[string, string, number], { n: number }>('SELECT 1 AS n FROM transaction_events WHERE station_id = ? AND transaction_id = ? AND seq_no = ?')
        .get(stationId, transactionId, seqNo) !== undefined
    );
  }

  /** The seqNo after the highest stored one (0 for a transaction with no events). */
  nextSeqNo(stationId: string, transactionId: string): number {
    const row = this.sql
      .prepare<TxKey, { maxSeqNo: number | null }>(
        'SELECT MAX(seq_no) AS maxSeqNo FROM transaction_events WHERE station_id = ? AND transaction_id = ?',
      )
      .get(stationId, transactionId);
    return row?.maxSeqNo === null || row?.maxSeqNo === undefined ? 0 : row.maxSeqNo + 1;
  }

  private recordInTransaction(ev: TransactionEvent): RecordEventResult {
    const params = toEventParams(ev);
    this.insertSummary.run(params);
    const inserted = this.insertEvent.run(params);
    if (inserted.changes === 0) return { duplicate: true, summary: this.mustGet(ev) };

    let sawRegister = false;
    ev.meterValues.forEach((mv, mvIndex) => {
      for (const sv of mv.sampledValues) {
        // A value that is not a finite number (an unparsable wire string) cannot be stored; the
        // event itself must still be recorded, so the sample is dropped.
        if (!Number.isFinite(sv.value)) continue;
        const measurand = sv.measurand ?? ENERGY_REGISTER_MEASURAND;
        if (measurand === ENERGY_REGISTER_MEASURAND) sawRegister = true;
        this.insertSample.run({
          eventId: inserted.lastInsertRowid,
          stationId: ev.stationId,
          transactionId: ev.transactionId,
          mvIndex,
          timeMs: mv.timeMs,
          value: sv.value,
          measurand,
          phase: sv.phase ?? null,
          context: sv.context ?? null,
          location: sv.location ?? null,
          unit: sv.unit ?? null,
        });
      }
    });
    this.updateSummary.run(params);
    if (sawRegister || ev.eventType === 'Ended') this.refreshEnergy(ev.stationId, ev.transactionId);
    return { duplicate: false, summary: this.mustGet(ev) };
  }

  private refreshEnergy(stationId: string, transactionId: string): void {
    const first = this.firstRegister.get(stationId, transactionId);
    const last = this.lastRegister.get(stationId, transactionId);
    const ended = this.selectSummary.get(stationId, transactionId)?.status === 'Ended';
    const startWh = first ? toWh(first) : null;
    const lastWh = last ? toWh(last) : null;
    const energyWh = startWh !== null && lastWh !== null ? lastWh - startWh : null;
    this.updateEnergy.run(startWh, ended ? lastWh : null, energyWh, stationId, transactionId);
  }

  private mustGet(ev: TransactionEvent): TransactionSummary {
    const summary = this.get(ev.stationId, ev.transactionId);
    if (!summary) throw new Error(`transaction ${ev.stationId}/${ev.transactionId} has no summary`);
    return summary;
  }

  private sampleRows(
    stationId: string,
    transactionId: string,
    measurand: string | undefined,
    orderBy: string,
  ): SampleRow[] {
    const sql = `SELECT m.event_id, e.seq_no, m.mv_index, m.time_ms, m.value, m.measurand, m.phase,
                   m.context, m.location, m.unit
                 FROM meter_samples m JOIN transaction_events e ON e.id = m.event_id
                 WHERE m.station_id = ? AND m.transaction_id = ?
                   ${measurand === undefined ? '' : 'AND m.measurand = ?'}
                 ORDER BY ${orderBy}`;
    const params: string[] = measurand === undefined ? [stationId, transactionId] : [stationId, transactionId, measurand];
    return this.sql.prepare<string[], SampleRow>(sql).all(...params);
  }
}

function toEventParams(ev: TransactionEvent): EventParams {
  return {
    stationId: ev.stationId,
    transactionId: ev.transactionId,
    seqNo: ev.seqNo,
    eventType: ev.eventType,
    timeMs: ev.timeMs,
    triggerReason: ev.triggerReason,
    evseId: ev.evseId ?? null,
    connectorId: ev.connectorId ?? null,
    idToken: ev.idToken ?? null,
    chargingState: ev.chargingState ?? null,
    stoppedReason: ev.stoppedReason ?? null,
    offline: ev.offline === undefined ? null : ev.offline ? 1 : 0,
    rawJson: ev.raw === undefined ? null : JSON.stringify(ev.raw),
  };
}

function toWh(row: RegisterRow): number {
  return row.unit === 'kWh' ? row.value * 1000 : row.value;
}

function toSummary(row: SummaryRow): TransactionSummary {
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

function toSampledValue(row: SampleRow): SampledValue {
  return {
    value: row.value,
    measurand: row.measurand,
    phase: row.phase ?? undefined,
    context: row.context ?? undefined,
    location: row.location ?? undefined,
    unit: row.unit ?? undefined,
  };
}

function toEvent(row: EventRow, meterValues: MeterValue[]): TransactionEvent {
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
