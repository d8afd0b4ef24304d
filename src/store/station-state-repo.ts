import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { Statements } from './statements.js';

export interface StationStateRepoDeps {
  db: Database.Database;
  clock: Clock;
}

interface StateRow {
  key: string;
  value_json: string;
}

/** Durable values per station id, by key (what StationStateRepo offers, for its users' deps). */
export interface StationValues {
  get(stationId: string, key: string): unknown;
  set(stationId: string, key: string, value: unknown): void;
  /** Every station's values under keys that start with the prefix, in one read. */
  withKeyPrefix(prefix: string): Array<{ stationId: string; key: string; value: unknown }>;
}

/**
 * Free-form durable state per station, by key, as JSON (what ReEnroll has pushed, device-model
 * values read back, ...). Values come back as `unknown`: the owner of a key validates its shape.
 * The site's own values are not a station's: they are in their own table (SiteStateRepo).
 */
export class StationStateRepo implements StationValues {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly clock: Clock;

  constructor(deps: StationStateRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
    this.clock = deps.clock;
  }

  /** Stores a JSON-serialisable value under the key, replacing the previous one. */
  set(stationId: string, key: string, value: unknown): void {
    this.sql
      .prepare<[string, string, string, number]>(
        `INSERT INTO station_state (station_id, key, value_json, updated_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (station_id, key) DO UPDATE SET value_json = excluded.value_json,
           updated_ms = excluded.updated_ms`,
      )
      .run(stationId, key, JSON.stringify(value ?? null), this.clock.nowMs());
  }

  /** The stored value, or undefined when the key was never set. */
  get(stationId: string, key: string): unknown {
    const row = this.sql
      .prepare<[string, string], StateRow>('SELECT key, value_json FROM station_state WHERE station_id = ? AND key = ?')
      .get(stationId, key);
    return row ? parse(row) : undefined;
  }

  /**
   * Every station's values under keys that start with the prefix (one query over the table, for
   * a user that wants a key of every station at once rather than one lookup per station).
   */
  withKeyPrefix(prefix: string): Array<{ stationId: string; key: string; value: unknown }> {
    const rows = this.sql
      .prepare<[number, string], StateRow & { station_id: string }>('SELECT station_id, key, value_json FROM station_state WHERE substr(key, 1, ?) = ?')
      .all(prefix.length, prefix);
    return rows.map((row) => ({ stationId: row.station_id, key: row.key, value: parse(row) }));
  }

  /** Deletes the key; false when it was not set. */
  delete(stationId: string, key: string): boolean {
    return (
      this.sql
        .prepare<[string, string]>('DELETE FROM station_state WHERE station_id = ? AND key = ?')
        .run(stationId, key).changes > 0
    );
  }

  /** All of a station's keys and values. */
  entries(stationId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const rows = this.sql
      .prepare<[string], StateRow>('SELECT key, value_json FROM station_state WHERE station_id = ? ORDER BY key')
      .all(stationId);
    for (const row of rows) out[row.key] = parse(row);
    return out;
  }
}

function parse(row: StateRow): unknown {
  const value: unknown = JSON.parse(row.value_json);
  return value;
}
