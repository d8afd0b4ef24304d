import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { Statements } from './statements.js';

export interface MessageLogRepoDeps {
  db: Database.Database;
  clock: Clock;
}

/** A message a station sent that the hub accepted and kept without acting on it. */
export interface LoggedMessage {
  id: number;
  stationId: string;
  action: string;
  payload: unknown;
  timeMs: number;
}

export interface RecentMessagesQuery {
  stationId?: string;
  action?: string;
  /** Newest first; default 100. */
  limit?: number;
}

interface MessageRow {
  id: number;
  station_id: string;
  action: string;
  payload_json: string;
  time_ms: number;
}

const DEFAULT_LIMIT = 100;

/**
 * Notifications the hub accepts without acting on them (FirmwareStatusNotification,
 * DiagnosticsStatusNotification, LogStatusNotification, SecurityEventNotification, NotifyEvent,
 * NotifyReport, DataTransfer, MeterValues outside a transaction, ...), kept for the API and audit.
 */
export class MessageLogRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly clock: Clock;

  constructor(deps: MessageLogRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
    this.clock = deps.clock;
  }

  /** Stores the payload as JSON, stamped now (or at timeMs). */
  append(stationId: string, action: string, payload: unknown, timeMs: number = this.clock.nowMs()): LoggedMessage {
    const result = this.sql
      .prepare<[string, string, string, number]>(
        'INSERT INTO message_log (station_id, action, payload_json, time_ms) VALUES (?, ?, ?, ?)',
      )
      .run(stationId, action, JSON.stringify(payload ?? null), timeMs);
    return { id: Number(result.lastInsertRowid), stationId, action, payload, timeMs };
  }

  /** The most recent messages, newest first, optionally of one station and/or one action. */
  listRecent(query: RecentMessagesQuery = {}): LoggedMessage[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.stationId !== undefined) {
      where.push('station_id = ?');
      params.push(query.stationId);
    }
    if (query.action !== undefined) {
      where.push('action = ?');
      params.push(query.action);
    }
    params.push(Math.max(0, Math.floor(query.limit ?? DEFAULT_LIMIT)));
    const sql =
      'SELECT * FROM message_log' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY time_ms DESC, id DESC LIMIT ?';
    return this.sql.prepare<(string | number)[], MessageRow>(sql).all(...params).map(toMessage);
  }

  count(): number {
    return this.sql.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM message_log').get()?.n ?? 0;
  }

  /** Retention: deletes messages stamped before cutoffMs; returns how many. */
  deleteOlderThan(cutoffMs: number): number {
    return this.sql.prepare<[number]>('DELETE FROM message_log WHERE time_ms < ?').run(cutoffMs).changes;
  }
}

function toMessage(row: MessageRow): LoggedMessage {
  const payload: unknown = JSON.parse(row.payload_json);
  return { id: row.id, stationId: row.station_id, action: row.action, payload, timeMs: row.time_ms };
}
