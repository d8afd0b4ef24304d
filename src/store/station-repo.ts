import type Database from 'better-sqlite3';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Clock } from '../util/clock.js';
import type { StationInfo } from '../model/types.js';
import { Statements } from './statements.js';

/** What a BootNotification tells us about a station. */
export interface StationBoot {
  stationId: string;
  version: OcppVersion;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  bootStatus: 'Accepted' | 'Pending' | 'Rejected';
  lastBootMs: number;
}

export interface StationRepoDeps {
  db: Database.Database;
  clock: Clock;
  /**
   * touch() writes lastSeenMs at most once per this many ms per station, so a chatty station
   * does not cost one fsync per message. lastSeenMs is therefore accurate to this resolution.
   */
  lastSeenResolutionMs?: number;
}

interface StationRow {
  station_id: string;
  ocpp_version: OcppVersion;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  boot_status: 'Accepted' | 'Pending' | 'Rejected' | null;
  last_boot_ms: number | null;
  last_seen_ms: number | null;
  connected: number;
}

const DEFAULT_LAST_SEEN_RESOLUTION_MS = 10_000;

/** Stations the hub has seen: identity from their last boot, connection state, last contact. */
export class StationRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly clock: Clock;
  private readonly lastSeenResolutionMs: number;
  /** lastSeenMs as last written, per station; spares reads on the hot path of touch(). */
  private readonly writtenLastSeenMs = new Map<string, number>();

  constructor(deps: StationRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
    this.clock = deps.clock;
    this.lastSeenResolutionMs = deps.lastSeenResolutionMs ?? DEFAULT_LAST_SEEN_RESOLUTION_MS;
  }

  /** Records a boot: identity, version and boot status; the station is connected and seen now. */
  upsertBoot(boot: StationBoot): void {
    const nowMs = this.clock.nowMs();
    this.sql
      .prepare<[StationRow]>(
        `INSERT INTO stations (station_id, ocpp_version, vendor, model, serial_number, firmware_version,
           boot_status, last_boot_ms, last_seen_ms, connected)
         VALUES (@station_id, @ocpp_version, @vendor, @model, @serial_number, @firmware_version,
           @boot_status, @last_boot_ms, @last_seen_ms, @connected)
         ON CONFLICT (station_id) DO UPDATE SET
           ocpp_version = excluded.ocpp_version, vendor = excluded.vendor, model = excluded.model,
           serial_number = excluded.serial_number, firmware_version = excluded.firmware_version,
           boot_status = excluded.boot_status, last_boot_ms = excluded.last_boot_ms,
           last_seen_ms = excluded.last_seen_ms, connected = excluded.connected`,
      )
      .run(toStationRow(boot, nowMs));
    this.writtenLastSeenMs.set(boot.stationId, nowMs);
  }

  /**
   * Marks a station connected or disconnected and seen now. With a version, a station the hub
   * has never seen (it connected without booting) is created; without one, an unknown station
   * is left alone and false is returned.
   */
  setConnected(stationId: string, connected: boolean, version?: OcppVersion): boolean {
    const nowMs = this.clock.nowMs();
    const flag = connected ? 1 : 0;
    const result = version
      ? this.sql
          .prepare<[string, string, number, number]>(
            `INSERT INTO stations (station_id, ocpp_version, last_seen_ms, connected) VALUES (?, ?, ?, ?)
             ON CONFLICT (station_id) DO UPDATE SET ocpp_version = excluded.ocpp_version,
               last_seen_ms = excluded.last_seen_ms, connected = excluded.connected`,
          )
          .run(stationId, version, nowMs, flag)
      : this.sql
          .prepare<[number, number, string]>(
            'UPDATE stations SET last_seen_ms = ?, connected = ? WHERE station_id = ?',
          )
          .run(nowMs, flag, stationId);
    if (result.changes > 0) this.writtenLastSeenMs.set(stationId, nowMs);
    return result.changes > 0;
  }

  /** Marks every station disconnected (at hub start: no connection survives a restart). */
  disconnectAll(): void {
    this.sql.prepare('UPDATE stations SET connected = 0 WHERE connected = 1').run();
  }

  /**
   * Notes that a station was heard from now. Writes only when the stored value is older than
   * lastSeenResolutionMs; returns whether it wrote.
   */
  touch(stationId: string): boolean {
    const nowMs = this.clock.nowMs();
    const written = this.writtenLastSeenMs.get(stationId);
    if (written !== undefined && nowMs - written < this.lastSeenResolutionMs) return false;
    const result = this.sql
      .prepare<[number, string]>('UPDATE stations SET last_seen_ms = ? WHERE station_id = ?')
      .run(nowMs, stationId);
    if (result.changes === 0) return false;
    this.writtenLastSeenMs.set(stationId, nowMs);
    return true;
  }

  get(stationId: string): StationInfo | undefined {
    const row = this.sql
      .prepare<[string], StationRow>('SELECT * FROM stations WHERE station_id = ?')
      .get(stationId);
    return row ? toStationInfo(row) : undefined;
  }

  /** All stations, by id. */
  list(): StationInfo[] {
    return this.sql
      .prepare<[], StationRow>('SELECT * FROM stations ORDER BY station_id')
      .all()
      .map(toStationInfo);
  }

  /** The ids of all stations, by id. */
  ids(): string[] {
    return this.sql
      .prepare<[], { station_id: string }>('SELECT station_id FROM stations ORDER BY station_id')
      .all()
      .map((r) => r.station_id);
  }

  /** Forgets a station that was never admitted (a rejected commissioning candidate): its row and its connectors. */
  forget(stationId: string): void {
    this.sql.prepare('DELETE FROM connectors WHERE station_id = ?').run(stationId);
    this.sql.prepare('DELETE FROM stations WHERE station_id = ?').run(stationId);
    this.writtenLastSeenMs.delete(stationId);
  }
}

function toStationInfo(row: StationRow): StationInfo {
  return {
    stationId: row.station_id,
    version: row.ocpp_version,
    vendor: row.vendor ?? undefined,
    model: row.model ?? undefined,
    serialNumber: row.serial_number ?? undefined,
    firmwareVersion: row.firmware_version ?? undefined,
    bootStatus: row.boot_status ?? undefined,
    lastBootMs: row.last_boot_ms ?? undefined,
    lastSeenMs: row.last_seen_ms ?? undefined,
    connected: row.connected === 1,
  };
}

/** The row a boot leaves: the station is connected and seen now. */
function toStationRow(boot: StationBoot, nowMs: number): StationRow {
  return {
    station_id: boot.stationId,
    ocpp_version: boot.version,
    vendor: boot.vendor ?? null,
    model: boot.model ?? null,
    serial_number: boot.serialNumber ?? null,
    firmware_version: boot.firmwareVersion ?? null,
    boot_status: boot.bootStatus,
    last_boot_ms: boot.lastBootMs,
    last_seen_ms: nowMs,
    connected: 1,
  };
}
