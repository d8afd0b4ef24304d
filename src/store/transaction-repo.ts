import type Database from 'better-sqlite3';
import type { MeterValue, SampledValue, TransactionEvent, TransactionEventType, TransactionSummary } from '../model/types.js';
import { ENERGY_REGISTER_MEASURAND, isStoredAsRow, withRegisterReading } from './register-span.js';
import { RetryCheck } from './retry-check.js';
import {
  changesMoreThanProgress,
  spanOf,
  summaryAfter,
  toEvent,
  toEventRow,
  toSampledValue,
  toSummary,
  type EventRow,
  type NewEventRow,
  type SampleRow,
  type SummaryRow,
} from './transaction-rows.js';

export { ENERGY_REGISTER_MEASURAND } from './register-span.js';

export interface TransactionRepoDeps {
  db: Database.Database;
  /** Transactions whose last events the retry check keeps in memory (default 20,000). */
  maxRetryWindows?: number;
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

const DEFAULT_LIST_LIMIT = 100;

interface SampleParams {
  eventId: number | bigint;
  mvIndex: number;
  svIndex: number;
  timeMs: number;
  value: number;
  measurand: string;
  phase: string | null;
  context: string | null;
  location: string | null;
  unit: string | null;
}

type TxKey = [stationId: string, transactionId: string];

const SAMPLES_OF_TX = `SELECT m.event_id, e.seq_no, m.mv_index, m.time_ms, m.value, m.measurand, m.phase,
    m.context, m.location, m.unit
  FROM transaction_events e JOIN meter_samples m ON m.event_id = e.id
  WHERE e.station_id = ? AND e.transaction_id = ?`;

/**
 * Transactions as sequences of events (OCPP 2.x terms), their meter samples, and one summary
 * row per transaction kept up to date as events arrive.
 *
 * What is stored per event: one `transaction_events` row with the payload as received (`raw`:
 * every sampled value, signed meter values, customData; what a 1.6 retry is compared with), and a
 * `meter_samples` row per energy reading (Energy.*: the billing data). Other sampled values
 * (power, current, voltage, SoC, ...) are not stored twice: they are in the raw payload. An event
 * without a raw payload keeps all its sampled values as rows.
 *
 * Summary rules (events may arrive out of order, e.g. replayed after an outage):
 * - the first event seen for a transaction creates the summary (Active); an Ended event closes
 *   it for good (a late Updated does not reopen it);
 * - startedMs is the earliest event time; lastSeqNo the highest seqNo;
 * - evseId / connectorId / idToken are taken from the first event that carries them (0 = unknown);
 * - sampled values that are not finite numbers are not stored (the event still is);
 * - meterStartWh is the first Energy.Active.Import.Register reading (by time, Transaction.Begin
 *   first among equal times; the phase total only, kWh converted to Wh), energyWh is last minus
 *   first (the energy so far while Active), meterStopWh is the last register reading once Ended.
 *   The first and last readings are kept on the summary row, so an event never reads samples back.
 *
 * Every statement is prepared once, here; the cost of recording an event does not depend on
 * how many transactions, events or samples the database holds.
 */
export class TransactionRepo {
  private readonly insertSummary: Database.Statement<[NewEventRow]>;
  private readonly insertEvent: Database.Statement<[NewEventRow]>;
  private readonly insertSample: Database.Statement<[SampleParams]>;
  private readonly writeSummary: Database.Statement<[SummaryRow]>;
  private readonly writeProgress: Database.Statement<[SummaryRow]>;
  private readonly selectSummary: Database.Statement<TxKey, SummaryRow>;
  private readonly selectProgress: Database.Statement<TxKey, { evse_id: number; last_seq_no: number }>;
  private readonly bumpLegacyId: Database.Statement<[], { value: number }>;
  private readonly activeOfStation: Database.Statement<[string], SummaryRow>;
  private readonly activeOnEvse: Database.Statement<[string, number], SummaryRow>;
  private readonly lastChargingStateOf: Database.Statement<TxKey, { charging_state: string }>;
  private readonly activeKeys: Database.Statement<[], { station_id: string; evse_id: number; transaction_id: string }>;
  private readonly allActive: Database.Statement<[], SummaryRow>;
  private readonly eventsOf: Database.Statement<TxKey, EventRow>;
  private readonly samplesOf: Database.Statement<TxKey, SampleRow>;
  private readonly samplesOfMeasurand: Database.Statement<[...TxKey, string], SampleRow>;
  private readonly latestOnEvse: Database.Statement<[string, number], SummaryRow>;
  private readonly eventExists: Database.Statement<[...TxKey, number], { n: number }>;
  private readonly maxSeqNo: Database.Statement<TxKey, { maxSeqNo: number | null }>;
  private readonly recordTx: Database.Transaction<(ev: TransactionEvent) => RecordEventResult & { rawJson: string | null }>;
  private readonly db: Database.Database;
  /** Recognises a station's retry of a message (retry-check.ts). */
  private readonly retries: RetryCheck;

  constructor(deps: TransactionRepoDeps) {
    const db = deps.db;
    this.db = db;
    this.retries = new RetryCheck({ db, maxWindows: deps.maxRetryWindows });
    this.insertSummary = db.prepare(
      `INSERT INTO transactions (station_id, transaction_id, evse_id, connector_id, id_token,
         started_ms, last_seq_no, status)
       VALUES (@station_id, @transaction_id, COALESCE(@evse_id, 0), COALESCE(@connector_id, 0), @id_token,
         @time_ms, @seq_no, 'Active')
       ON CONFLICT (station_id, transaction_id) DO NOTHING`,
    );
    this.insertEvent = db.prepare(
      `INSERT INTO transaction_events (station_id, transaction_id, seq_no, event_type, time_ms,
         trigger_reason, evse_id, connector_id, id_token, charging_state, stopped_reason, offline, raw_json)
       VALUES (@station_id, @transaction_id, @seq_no, @event_type, @time_ms, @trigger_reason, @evse_id,
         @connector_id, @id_token, @charging_state, @stopped_reason, @offline, @raw_json)
       ON CONFLICT (station_id, transaction_id, seq_no) DO NOTHING`,
    );
    this.insertSample = db.prepare(
      `INSERT INTO meter_samples (event_id, mv_index, sv_index, time_ms, value, measurand, phase, context, location, unit)
       VALUES (@eventId, @mvIndex, @svIndex, @timeMs, @value, @measurand, @phase, @context, @location, @unit)`,
    );
    const running = `meter_start_wh = @meter_start_wh, energy_wh = @energy_wh, last_seq_no = @last_seq_no,
         register_first_ms = @register_first_ms, register_first_rank = @register_first_rank,
         register_last_ms = @register_last_ms, register_last_rank = @register_last_rank,
         register_last_wh = @register_last_wh`;
    const key = 'WHERE station_id = @station_id AND transaction_id = @transaction_id';
    // Only the running figures: no indexed column is written, so no index is touched.
    this.writeProgress = db.prepare(`UPDATE transactions SET ${running} ${key}`);
    this.writeSummary = db.prepare(
      `UPDATE transactions SET ${running}, evse_id = @evse_id, connector_id = @connector_id, id_token = @id_token,
         started_ms = @started_ms, status = @status, ended_ms = @ended_ms, stopped_reason = @stopped_reason,
         meter_stop_wh = @meter_stop_wh ${key}`,
    );
    this.selectSummary = db.prepare('SELECT * FROM transactions WHERE station_id = ? AND transaction_id = ?');
    this.selectProgress = db.prepare('SELECT evse_id, last_seq_no FROM transactions WHERE station_id = ? AND transaction_id = ?');
    this.bumpLegacyId = db.prepare(`UPDATE counters SET value = value + 1 WHERE name = 'legacy_transaction_id' RETURNING value`);
    this.activeOfStation = db.prepare(
      `SELECT * FROM transactions WHERE status = 'Active' AND station_id = ? ORDER BY started_ms, transaction_id`,
    );
    this.activeOnEvse = db.prepare(
      `SELECT * FROM transactions WHERE status = 'Active' AND station_id = ? AND evse_id = ? ORDER BY started_ms, transaction_id`,
    );
    this.allActive = db.prepare(`SELECT * FROM transactions WHERE status = 'Active' ORDER BY started_ms, transaction_id`);
    this.activeKeys = db.prepare(`SELECT station_id, evse_id, transaction_id FROM transactions WHERE status = 'Active' ORDER BY started_ms, transaction_id`);
    this.lastChargingStateOf = db.prepare(
      `SELECT charging_state FROM transaction_events
       WHERE station_id = ? AND transaction_id = ? AND charging_state IS NOT NULL ORDER BY seq_no DESC LIMIT 1`,
    );
    this.eventsOf = db.prepare('SELECT * FROM transaction_events WHERE station_id = ? AND transaction_id = ? ORDER BY seq_no');
    this.samplesOf = db.prepare(`${SAMPLES_OF_TX} ORDER BY e.seq_no, m.mv_index, m.sv_index`);
    this.samplesOfMeasurand = db.prepare(`${SAMPLES_OF_TX} AND m.measurand = ? ORDER BY e.seq_no, m.mv_index, m.sv_index`);
    this.latestOnEvse = db.prepare('SELECT * FROM transactions WHERE station_id = ? AND evse_id = ? ORDER BY rowid DESC LIMIT 1');
    this.eventExists = db.prepare('SELECT 1 AS n FROM transaction_events WHERE station_id = ? AND transaction_id = ? AND seq_no = ?');
    this.maxSeqNo = db.prepare('SELECT MAX(seq_no) AS maxSeqNo FROM transaction_events WHERE station_id = ? AND transaction_id = ?');
    this.recordTx = db.transaction((ev: TransactionEvent) => this.recordInTransaction(ev));
  }

  /**
   * Stores the event, its samples and the updated summary in one transaction; durable when it
   * returns. A repeated (stationId, transactionId, seqNo) is ignored and reported as duplicate.
   */
  recordEvent(ev: TransactionEvent): RecordEventResult {
    const { rawJson, ...result } = this.recordTx.immediate(ev);
    if (!result.duplicate) this.retries.recorded(ev, rawJson);
    return result;
  }

  /**
   * Forgets what the retry check holds in memory; it reads the database again. Called when
   * writes it has seen are undone (a failed group commit) or events are deleted (retention).
   */
  forgetRetryWindows(): void {
    this.retries.forget();
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
    const rows = evseId === undefined ? this.activeOfStation.all(stationId) : this.activeOnEvse.all(stationId, evseId);
    return rows.map(toSummary);
  }

  /** Every active transaction, oldest first (as findActive orders a station's): one query for the site. */
  activeAll(): TransactionSummary[] {
    return this.allActive.all().map(toSummary);
  }

  /**
   * Every active transaction's EVSE and id, oldest started first (a later one on the same EVSE
   * comes after): one query for the whole site, without the summaries.
   */
  activeIds(): Array<{ stationId: string; evseId: number; transactionId: string }> {
    return this.activeKeys.all().map((r) => ({ stationId: r.station_id, evseId: r.evse_id, transactionId: r.transaction_id }));
  }

  get(stationId: string, transactionId: string): TransactionSummary | undefined {
    const row = this.selectSummary.get(stationId, transactionId);
    return row ? toSummary(row) : undefined;
  }

  /**
   * The transaction's EVSE (0 = unknown) and highest recorded seqNo, or undefined when it is not
   * recorded: what a 1.6 message that names only the transaction needs, without the summary.
   */
  progress(stationId: string, transactionId: string): { evseId: number; lastSeqNo: number } | undefined {
    const row = this.selectProgress.get(stationId, transactionId);
    return row ? { evseId: row.evse_id, lastSeqNo: row.last_seq_no } : undefined;
  }

  /** The last chargingState the transaction's events reported (2.x: Charging, SuspendedEV, ...), if any. */
  lastChargingState(stationId: string, transactionId: string): string | undefined {
    return this.lastChargingStateOf.get(stationId, transactionId)?.charging_state;
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
    return this.db.prepare<(string | number)[], SummaryRow>(sql).all(...params).map(toSummary);
  }

  /**
   * The transaction's events in seqNo order: `raw` is the payload as received (all sampled
   * values); `meterValues` holds the readings stored as rows (the energy readings; every value
   * for an event recorded without a raw payload).
   */
  events(stationId: string, transactionId: string): TransactionEvent[] {
    const eventRows = this.eventsOf.all(stationId, transactionId);
    const meterValuesByEvent = new Map<number, MeterValue[]>();
    for (const s of this.samplesOf.all(stationId, transactionId)) {
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

  /**
   * The transaction's stored sampled values by time (optionally one measurand): the energy
   * readings (see `events` for what else an event's raw payload holds).
   */
  samples(stationId: string, transactionId: string, options: { measurand?: string } = {}): TransactionSample[] {
    const rows =
      options.measurand === undefined
        ? this.samplesOf.all(stationId, transactionId)
        : this.samplesOfMeasurand.all(stationId, transactionId, options.measurand);
    // Stable: equal times keep the recording order (seqNo, meter value, position).
    return rows
      .sort((a, b) => a.time_ms - b.time_ms)
      .map((s) => ({ ...toSampledValue(s), measurand: s.measurand, seqNo: s.seq_no, timeMs: s.time_ms }));
  }

  /** The transaction recorded last on the station's EVSE (by recording order), whatever its status. */
  latestOn(stationId: string, evseId: number): TransactionSummary | undefined {
    const row = this.latestOnEvse.get(stationId, evseId);
    return row ? toSummary(row) : undefined;
  }

  /**
   * Among the transaction's last `lastN` events (by seqNo), the one whose recorded wire payload
   * (raw) is exactly `raw` (compared as JSON text): how a station's retry of a message is
   * recognised.
   */
  findEventByRaw(stationId: string, transactionId: string, raw: unknown, lastN: number): { seqNo: number; eventType: TransactionEventType } | undefined {
    return this.retries.find(stationId, transactionId, raw, lastN);
  }

  /** True when the event (station, transaction, seqNo) is recorded. */
  hasEvent(stationId: string, transactionId: string, seqNo: number): boolean {
    return this.eventExists.get(stationId, transactionId, seqNo) !== undefined;
  }

  /** The seqNo after the highest stored one (0 for a transaction with no events). */
  nextSeqNo(stationId: string, transactionId: string): number {
    const row = this.maxSeqNo.get(stationId, transactionId);
    return row?.maxSeqNo === null || row?.maxSeqNo === undefined ? 0 : row.maxSeqNo + 1;
  }

  private recordInTransaction(ev: TransactionEvent): RecordEventResult & { rawJson: string | null } {
    const params = toEventRow(ev);
    let before = this.selectSummary.get(ev.stationId, ev.transactionId);
    if (!before) {
      this.insertSummary.run(params);
      before = this.selectSummary.get(ev.stationId, ev.transactionId);
      if (!before) throw new Error(`transaction ${ev.stationId}/${ev.transactionId} has no summary`);
    }
    const inserted = this.insertEvent.run(params);
    if (inserted.changes === 0) return { duplicate: true, summary: toSummary(before), rawJson: params.raw_json };

    const hasRaw = params.raw_json !== null;
    let span = spanOf(before);
    // One parameter object for the event's sample rows (better-sqlite3 reads it at each run).
    const sample: SampleParams = { eventId: inserted.lastInsertRowid, mvIndex: 0, svIndex: 0, timeMs: 0, value: 0, measurand: '', phase: null, context: null, location: null, unit: null };
    const { meterValues } = ev;
    for (let mvIndex = 0; mvIndex < meterValues.length; mvIndex++) {
      const mv = meterValues[mvIndex]!;
      const { sampledValues } = mv;
      for (let svIndex = 0; svIndex < sampledValues.length; svIndex++) {
        const sv = sampledValues[svIndex]!;
        // A value that is not a finite number (an unparsable wire string) cannot be stored; the
        // event itself must still be recorded, so the sample is dropped.
        if (!Number.isFinite(sv.value)) continue;
        const measurand = sv.measurand ?? ENERGY_REGISTER_MEASURAND;
        span = withRegisterReading(span, mv.timeMs, sv);
        if (!isStoredAsRow(measurand, hasRaw)) continue;
        sample.mvIndex = mvIndex;
        sample.svIndex = svIndex;
        sample.timeMs = mv.timeMs;
        sample.value = sv.value;
        sample.measurand = measurand;
        sample.phase = sv.phase ?? null;
        sample.context = sv.context ?? null;
        sample.location = sv.location ?? null;
        sample.unit = sv.unit ?? null;
        this.insertSample.run(sample);
      }
    }
    const after = summaryAfter(before, params, span);
    if (changesMoreThanProgress(before, after)) this.writeSummary.run(after);
    else this.writeProgress.run(after);
    return { duplicate: false, summary: toSummary(after), rawJson: params.raw_json };
  }
}
