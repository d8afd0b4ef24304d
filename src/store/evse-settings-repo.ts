import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import type { GroupCommit } from './group-commit.js';

export interface EvseSettingsRepoDeps {
  db: Database.Database;
  clock: Clock;
  /** The store's group commit (writeDurably joins it); absent: writeDurably commits on the event loop. */
  batch?: Pick<GroupCommit, 'begin' | 'barrier'>;
}

/** One stored setting of one EVSE: its value as parsed JSON (the owner validates it) and who set it. */
export interface StoredEvseSetting {
  evseKey: string;
  setting: string;
  value: unknown;
  source: string;
  updatedMs: number;
}

interface Row {
  evse_key: string;
  setting: string;
  value_json: string;
  source: string;
  updated_ms: number;
}

/** A change to one setting: a value to store, or null to delete the row (back to the config). */
export interface EvseSettingWrite {
  evseKey: string;
  setting: string;
  value: unknown;
  source: string;
}

/** EVSE settings made at runtime (table `evse_settings`), restored when the hub starts. */
export class EvseSettingsRepo {
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly batch: EvseSettingsRepoDeps['batch'];
  private upsert: Database.Statement<[string, string, string, string, number]> | undefined;
  private remove: Database.Statement<[string, string]> | undefined;

  constructor(deps: EvseSettingsRepoDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.batch = deps.batch;
  }

  /** Every stored setting, by EVSE key then setting name. */
  list(): StoredEvseSetting[] {
    return this.db
      .prepare<[], Row>('SELECT evse_key, setting, value_json, source, updated_ms FROM evse_settings ORDER BY evse_key, setting')
      .all()
      .map((r) => ({ evseKey: r.evse_key, setting: r.setting, value: JSON.parse(r.value_json) as unknown, source: r.source, updatedMs: r.updated_ms }));
  }

  /**
   * Writes the changes in one transaction: all of them or none. A null value deletes the row.
   * Committed on return, unless a group-commit batch is open in this turn (it then nests in it).
   */
  write(changes: readonly EvseSettingWrite[]): void {
    const upsert = (this.upsert ??= this.db.prepare<[string, string, string, string, number]>(
      `INSERT INTO evse_settings (evse_key, setting, value_json, source, updated_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (evse_key, setting) DO UPDATE SET value_json = excluded.value_json,
         source = excluded.source, updated_ms = excluded.updated_ms`,
    ));
    const remove = (this.remove ??= this.db.prepare<[string, string]>('DELETE FROM evse_settings WHERE evse_key = ? AND setting = ?'));
    const nowMs = this.clock.nowMs();
    this.db.transaction(() => {
      for (const c of changes) {
        if (c.value === null) remove.run(c.evseKey, c.setting);
        else upsert.run(c.evseKey, c.setting, JSON.stringify(c.value), c.source, nowMs);
      }
    })();
  }

  /**
   * write() in this turn's group-commit batch: settles once the changes are on disk (the batch's
   * commit and the sync of the log, off the event loop), rejects when its commit or sync failed.
   */
  writeDurably(changes: readonly EvseSettingWrite[]): Promise<void> {
    if (!this.batch) {
      this.write(changes);
      return Promise.resolve();
    }
    this.batch.begin();
    this.write(changes);
    return this.batch.barrier();
  }
}
