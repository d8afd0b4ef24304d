import type Database from 'better-sqlite3';
import { assign, type AssignResult, type DownstreamConnectorKey, type EvseMapping, type EvseMappingEntry } from './evse-mapping.js';

export interface EvseMappingRepoDeps {
  /** The hub's database (opened by the store: migrated, WAL and synchronous=FULL apply). */
  db: Database.Database;
}

interface MappingRow {
  station_id: string;
  evse_id: number;
  connector_id: number;
  upstream_evse_id: number;
  upstream_connector_id: number;
}

/**
 * Durable hub-mode EVSE mapping (downstream station + connector -> upstream EVSE/connector).
 * Rows are only ever inserted: an upstream id, once given, stays with its connector.
 */
export class EvseMappingRepo {
  private readonly db: Database.Database;

  constructor(deps: EvseMappingRepoDeps) {
    this.db = deps.db;
  }

  /** The whole mapping, in allocation order. */
  load(): EvseMapping {
    const rows = this.db
      .prepare<[], MappingRow>(
        'SELECT station_id, evse_id, connector_id, upstream_evse_id, upstream_connector_id FROM hub_evse_mapping ORDER BY seq',
      )
      .all();
    return {
      entries: rows.map((r) => ({
        stationId: r.station_id,
        evseId: r.evse_id,
        connectorId: r.connector_id,
        upstreamEvseId: r.upstream_evse_id,
        upstreamConnectorId: r.upstream_connector_id,
      })),
    };
  }

  /** Stores new entries in one transaction; an entry already stored is left as it is. */
  saveAdded(added: readonly EvseMappingEntry[]): void {
    if (added.length === 0) return;
    const insert = this.db.prepare<[string, number, number, number, number]>(
      `INSERT OR IGNORE INTO hub_evse_mapping
         (station_id, evse_id, connector_id, upstream_evse_id, upstream_connector_id, seq)
       VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM hub_evse_mapping))`,
    );
    this.db.transaction((entries: readonly EvseMappingEntry[]) => {
      for (const e of entries) insert.run(e.stationId, e.evseId, e.connectorId, e.upstreamEvseId, e.upstreamConnectorId);
    })(added);
  }

  /** Loads, assigns the keys not mapped yet (see assign) and stores what was added. */
  assignAndSave(keys: readonly DownstreamConnectorKey[]): AssignResult {
    return this.db.transaction(() => {
      const result = assign(this.load(), keys);
      this.saveAdded(result.added);
      return result;
    })();
  }
}
