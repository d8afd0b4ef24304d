import type Database from 'better-sqlite3';
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S } from './power-history-repo.js';

/** A completed charging session: an ended transaction with its peak power from the power history. */
export interface CompletedSession {
  stationId: string;
  evseId: number;
  transactionId: string;
  idToken?: string;
  startedMs: number;
  endedMs: number;
  /** Energy delivered, Wh (from the meter register), when the station reported it. */
  energyWh?: number;
  /**
   * Highest power the hub sampled on the EVSE during the session, W; absent when the history
   * holds none for it. From the minute buckets while they are kept, else the 15-minute ones
   * (whose window may reach a few minutes past the session's ends).
   */
  maxPowerW?: number;
  stoppedReason?: string;
}

export interface SessionQuery {
  /** Sessions that ended in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  limit: number;
}

export interface SessionRepoDeps {
  db: Database.Database;
}

interface SessionRow {
  stationId: string;
  evseId: number;
  transactionId: string;
  idToken: string | null;
  startedMs: number;
  endedMs: number;
  energyWh: number | null;
  maxPowerW: number | null;
  stoppedReason: string | null;
}

/** Completed sessions, newest end first (reads `transactions` and `power_history`; writes nothing). */
export class SessionRepo {
  private readonly list: Database.Statement<[{ fromMs: number; toMs: number; limit: number }], SessionRow>;

  constructor(deps: SessionRepoDeps) {
    const peak = (resolutionS: number) =>
      `(SELECT MAX(h.max_w) FROM power_history h INDEXED BY power_history_by_series
        WHERE h.series = 'evse:' || t.station_id || '/' || t.evse_id AND h.resolution_s = ${resolutionS}
          AND h.start_ms > t.started_ms - ${resolutionS * 1000} AND h.start_ms < t.ended_ms)`;
    this.list = deps.db.prepare(
      `SELECT t.station_id AS stationId, t.evse_id AS evseId, t.transaction_id AS transactionId,
              t.id_token AS idToken, t.started_ms AS startedMs, t.ended_ms AS endedMs,
              t.energy_wh AS energyWh, t.stopped_reason AS stoppedReason,
              COALESCE(${peak(FINE_RESOLUTION_S)}, ${peak(COARSE_RESOLUTION_S)}) AS maxPowerW
       FROM transactions t INDEXED BY transactions_by_end
       WHERE t.status = 'Ended' AND t.ended_ms IS NOT NULL AND t.ended_ms >= @fromMs AND t.ended_ms < @toMs
       ORDER BY t.ended_ms DESC, t.station_id, t.transaction_id
       LIMIT @limit`,
    );
  }

  /** Sessions that ended in the window, newest first, at most `limit`. */
  completed(q: SessionQuery): CompletedSession[] {
    return this.list.all({ fromMs: q.fromMs, toMs: q.toMs, limit: q.limit }).map((r) => ({
      stationId: r.stationId,
      evseId: r.evseId,
      transactionId: r.transactionId,
      ...(r.idToken !== null ? { idToken: r.idToken } : {}),
      startedMs: r.startedMs,
      endedMs: r.endedMs,
      ...(r.energyWh !== null ? { energyWh: r.energyWh } : {}),
      ...(r.maxPowerW !== null ? { maxPowerW: r.maxPowerW } : {}),
      ...(r.stoppedReason !== null ? { stoppedReason: r.stoppedReason } : {}),
    }));
  }
}
