import type Database from 'better-sqlite3';
import type { ConnectorState, ConnectorStatus } from '../model/types.js';
import { Statements } from './statements.js';

export interface ConnectorRepoDeps {
  db: Database.Database;
}

interface ConnectorRow {
  station_id: string;
  evse_id: number;
  connector_id: number;
  status: ConnectorStatus;
  detail: string | null;
  error_code: string | null;
  updated_ms: number;
}

/** The last reported status of every connector (one row per station, EVSE and connector). */
export class ConnectorRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;

  constructor(deps: ConnectorRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
  }

  /** Stores the state, replacing the previous one for the same connector. */
  upsert(state: ConnectorState): void {
    this.sql
      .prepare<[ConnectorRow]>(
        `INSERT INTO connectors (station_id, evse_id, connector_id, status, detail, error_code, updated_ms)
         VALUES (@station_id, @evse_id, @connector_id, @status, @detail, @error_code, @updated_ms)
         ON CONFLICT (station_id, evse_id, connector_id) DO UPDATE SET
           status = excluded.status, detail = excluded.detail, error_code = excluded.error_code,
           updated_ms = excluded.updated_ms`,
      )
      .run(toConnectorRow(state));
  }

  get(stationId: string, evseId: number, connectorId: number): ConnectorState | undefined {
    const row = this.sql
      .prepare<[string, number, number], ConnectorRow>(
        'SELECT * FROM connectors WHERE station_id = ? AND evse_id = ? AND connector_id = ?',
      )
      .get(stationId, evseId, connectorId);
    return row ? toConnectorState(row) : undefined;
  }

  /** The station's connectors, by EVSE then connector. */
  listByStation(stationId: string): ConnectorState[] {
    return this.sql
      .prepare<[string], ConnectorRow>(
        'SELECT * FROM connectors WHERE station_id = ? ORDER BY evse_id, connector_id',
      )
      .all(stationId)
      .map(toConnectorState);
  }

  /**
   * Per EVSE, the status its first connector shows (the station's detail, else its status) when
   * that is one of `shown`: one query for the whole site (the dashboard's fault watch).
   */
  firstConnectorsShowing(shown: readonly string[]): Array<{ stationId: string; evseId: number; shown: string }> {
    if (shown.length === 0) return [];
    return this.sql
      .prepare<string[], { station_id: string; evse_id: number; shown: string }>(
        `SELECT station_id, evse_id, COALESCE(detail, status) AS shown FROM connectors c
         WHERE COALESCE(detail, status) IN (${shown.map(() => '?').join(', ')})
           AND connector_id = (SELECT MIN(connector_id) FROM connectors f WHERE f.station_id = c.station_id AND f.evse_id = c.evse_id)`,
      )
      .all(...shown)
      .map((r) => ({ stationId: r.station_id, evseId: r.evse_id, shown: r.shown }));
  }

  /** Every connector, by station, EVSE and connector. */
  listAll(): ConnectorState[] {
    return this.sql
      .prepare<[], ConnectorRow>('SELECT * FROM connectors ORDER BY station_id, evse_id, connector_id')
      .all()
      .map(toConnectorState);
  }
}

function toConnectorState(row: ConnectorRow): ConnectorState {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    connectorId: row.connector_id,
    status: row.status,
    detail: row.detail ?? undefined,
    errorCode: row.error_code ?? undefined,
    updatedMs: row.updated_ms,
  };
}

function toConnectorRow(state: ConnectorState): ConnectorRow {
  return {
    station_id: state.stationId,
    evse_id: state.evseId,
    connector_id: state.connectorId,
    status: state.status,
    detail: state.detail ?? null,
    error_code: state.errorCode ?? null,
    updated_ms: state.updatedMs,
  };
}
