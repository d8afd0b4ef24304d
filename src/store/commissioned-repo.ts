import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { Clock } from '../util/clock.js';
import type { OcppVersion } from '../ocpp/versions.js';
import { Statements } from './statements.js';

/** A station added by commissioning: its station config as the YAML would hold it, and its password hash. */
export interface CommissionedStation {
  stationId: string;
  /** The station's config (the shape of one `stations` entry), unparsed: the loader validates it. */
  config: unknown;
  passwordHash: string;
  version: OcppVersion;
  createdMs: number;
  updatedMs: number;
}

interface Row {
  station_id: string;
  config_json: string;
  password_hash: string;
  ocpp_version: OcppVersion;
  created_ms: number;
  updated_ms: number;
}

function fromRow(r: Row): CommissionedStation {
  return { stationId: r.station_id, config: JSON.parse(r.config_json) as unknown, passwordHash: r.password_hash, version: r.ocpp_version, createdMs: r.created_ms, updatedMs: r.updated_ms };
}

const LIST_SQL = 'SELECT * FROM commissioned_stations ORDER BY station_id';

/** Stations approved at runtime (table `commissioned_stations`). */
export class CommissionedRepo {
  private readonly sql: Statements;

  constructor(private readonly deps: { db: Database.Database; clock: Clock }) {
    this.sql = new Statements(deps.db);
  }

  list(): CommissionedStation[] {
    return this.sql.prepare<[], Row>(LIST_SQL).all().map(fromRow);
  }

  get(stationId: string): CommissionedStation | undefined {
    const row = this.sql.prepare<[string], Row>('SELECT * FROM commissioned_stations WHERE station_id = ?').get(stationId);
    return row ? fromRow(row) : undefined;
  }

  /** Adds or replaces a station (creation time kept on replace). */
  upsert(s: { stationId: string; config: unknown; passwordHash: string; version: OcppVersion }): void {
    const nowMs = this.deps.clock.nowMs();
    this.sql
      .prepare(
        `INSERT INTO commissioned_stations (station_id, config_json, password_hash, ocpp_version, created_ms, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (station_id) DO UPDATE SET config_json = excluded.config_json, password_hash = excluded.password_hash,
           ocpp_version = excluded.ocpp_version, updated_ms = excluded.updated_ms`,
      )
      .run(s.stationId, JSON.stringify(s.config), s.passwordHash, s.version, nowMs, nowMs);
  }

  /** True when there was such a station. */
  remove(stationId: string): boolean {
    return this.sql.prepare('DELETE FROM commissioned_stations WHERE station_id = ?').run(stationId).changes > 0;
  }
}

/**
 * The commissioned stations of a database, read without writing anything (for `check-config`):
 * empty when the file or the table does not exist yet.
 */
export function readCommissionedStations(dbPath: string): CommissionedStation[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'commissioned_stations'").get();
    if (!table) return [];
    return db.prepare<[], Row>(LIST_SQL).all().map(fromRow);
  } finally {
    db.close();
  }
}
