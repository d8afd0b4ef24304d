import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import type { ChargingProfile } from '../energy/charging-profile.js';
import { Statements } from './statements.js';

export interface ProfileRepoDeps {
  db: Database.Database;
  clock: Clock;
}

/** Who set a profile: the upstream CSMS (an input to the composite) or the hub (what it sent). */
export type ProfileSource = 'csms' | 'hub';

export interface StoredProfile {
  stationId: string;
  source: ProfileSource;
  profile: ChargingProfile;
  updatedMs: number;
}

interface ProfileRow {
  station_id: string;
  source: ProfileSource;
  profile_json: string;
  updated_ms: number;
}

/**
 * Charging profiles per station, in two namespaces by source: a CSMS profile 7 and a hub
 * profile 7 on the same station are different profiles. Putting a profile with an existing
 * (station, source, id) replaces it.
 */
export class ProfileRepo {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly clock: Clock;

  constructor(deps: ProfileRepoDeps) {
    this.db = deps.db;
    this.sql = new Statements(deps.db);
    this.clock = deps.clock;
  }

  put(stationId: string, source: ProfileSource, profile: ChargingProfile): void {
    this.sql
      .prepare<[string, ProfileSource, number, number, string, number, string, number]>(
        `INSERT INTO charging_profiles (station_id, source, profile_id, evse_id, purpose, stack_level,
           profile_json, updated_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (station_id, source, profile_id) DO UPDATE SET evse_id = excluded.evse_id,
           purpose = excluded.purpose, stack_level = excluded.stack_level,
           profile_json = excluded.profile_json, updated_ms = excluded.updated_ms`,
      )
      .run(
        stationId,
        source,
        profile.id,
        profile.evseId,
        profile.purpose,
        profile.stackLevel,
        JSON.stringify(profile),
        this.clock.nowMs(),
      );
  }

  get(stationId: string, source: ProfileSource, profileId: number): StoredProfile | undefined {
    const row = this.sql
      .prepare<[string, ProfileSource, number], ProfileRow>(
        'SELECT * FROM charging_profiles WHERE station_id = ? AND source = ? AND profile_id = ?',
      )
      .get(stationId, source, profileId);
    return row ? toStored(row) : undefined;
  }

  /** The station's profiles (of one source, or both), by source, EVSE, purpose, stack level, id. */
  list(stationId: string, source?: ProfileSource): StoredProfile[] {
    const order = 'ORDER BY source, evse_id, purpose, stack_level, profile_id';
    const rows =
      source === undefined
        ? this.sql
            .prepare<[string], ProfileRow>(`SELECT * FROM charging_profiles WHERE station_id = ? ${order}`)
            .all(stationId)
        : this.sql
            .prepare<[string, ProfileSource], ProfileRow>(
              `SELECT * FROM charging_profiles WHERE station_id = ? AND source = ? ${order}`,
            )
            .all(stationId, source);
    return rows.map(toStored);
  }

  /**
   * Every station's profiles of one source in one query, per station in the order of list().
   * Stations without a profile of that source are absent.
   */
  listAllBySource(source: ProfileSource): Map<string, ChargingProfile[]> {
    const rows = this.sql
      .prepare<[ProfileSource], ProfileRow>(
        'SELECT * FROM charging_profiles WHERE source = ? ORDER BY station_id, source, evse_id, purpose, stack_level, profile_id',
      )
      .all(source);
    const out = new Map<string, ChargingProfile[]>();
    for (const row of rows) {
      const { stationId, profile } = toStored(row);
      const list = out.get(stationId);
      if (list) list.push(profile);
      else out.set(stationId, [profile]);
    }
    return out;
  }

  /** Deletes one profile; false when it was not there. */
  delete(stationId: string, source: ProfileSource, profileId: number): boolean {
    return (
      this.sql
        .prepare<[string, ProfileSource, number]>(
          'DELETE FROM charging_profiles WHERE station_id = ? AND source = ? AND profile_id = ?',
        )
        .run(stationId, source, profileId).changes > 0
    );
  }

  /** Deletes all of a station's profiles from one source; returns how many. */
  clear(stationId: string, source: ProfileSource): number {
    return this.sql
      .prepare<[string, ProfileSource]>('DELETE FROM charging_profiles WHERE station_id = ? AND source = ?')
      .run(stationId, source).changes;
  }
}

function toStored(row: ProfileRow): StoredProfile {
  const profile: ChargingProfile = JSON.parse(row.profile_json);
  return { stationId: row.station_id, source: row.source, profile, updatedMs: row.updated_ms };
}
