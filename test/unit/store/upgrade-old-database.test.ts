import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from '../../../src/store/migrations.js';
import { MIGRATIONS } from '../../../src/store/schema-steps.js';
import { openStore } from '../../../src/store/store.js';
import { EvseMappingRepo } from '../../../src/upstream/hub-mode/mapping-repo.js';
import { DerRepo } from '../../../src/der/der-repo.js';
import { EMPTY_DER_STATE } from '../../../src/der/der-control-store.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

/**
 * A database as version 0.1.0 left it: schema version 1 from the migrations, plus the two tables
 * the hub-mode and DER code created themselves then (their statements, as they were).
 */
function writeOldDatabase(file: string, clock: FakeClock): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(db, { clock, migrations: MIGRATIONS.slice(0, 1) });
  db.exec(`CREATE TABLE IF NOT EXISTS hub_evse_mapping (
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  connector_id INTEGER NOT NULL,
  upstream_evse_id INTEGER NOT NULL,
  upstream_connector_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (station_id, evse_id, connector_id),
  UNIQUE (upstream_evse_id, upstream_connector_id)
)`);
  db.exec(`CREATE TABLE IF NOT EXISTS der_controls (
      control_id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      start_ms INTEGER,
      request_json TEXT NOT NULL,
      updated_ms INTEGER NOT NULL
    )`);
  db.prepare('INSERT INTO hub_evse_mapping VALUES (?, ?, ?, ?, ?, ?)').run('CP-1', 1, 1, 1, 1, 1);
  db.prepare('INSERT INTO hub_evse_mapping VALUES (?, ?, ?, ?, ?, ?)').run('CP-2', 1, 1, 2, 1, 2);
  db.prepare('INSERT INTO der_controls VALUES (?, ?, ?, ?, ?)').run('ctl-1', 1, null, '{"x":1}', 5);
  db.prepare("INSERT INTO message_log (station_id, action, payload_json, time_ms) VALUES ('CP-1', 'NotifyEvent', '{}', 7)").run();
  db.prepare("INSERT INTO outbox (link, action, payload_json, kind, created_ms) VALUES ('SITE', 'TransactionEvent', '{}', 'billing', 9)").run();
  db.close();
}

/** Each table's columns (name, type, not null, default, primary key position) and the index names. */
function schemaShape(db: Database.Database): unknown {
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
  const indexes = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").all();
  return {
    tables: Object.fromEntries(tables.map((t) => [t.name, db.pragma(`table_info(${t.name})`)])),
    indexes: indexes.map((i) => i.name),
  };
}

describe('upgrading a database written by an older version', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const file = (name: string): string => {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-upgrade-'));
    return path.join(dir, name);
  };

  it('applies the new steps, keeps every row and ends with the schema of a fresh database', () => {
    const clock = new FakeClock();
    const oldFile = file('old.db');
    writeOldDatabase(oldFile, clock);

    const upgraded = openStore({ path: oldFile, clock });
    const fresh = openStore({ path: file('fresh.db'), clock });
    try {
      const versions = upgraded.db.prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(schemaShape(upgraded.db)).toEqual(schemaShape(fresh.db));

      expect(new EvseMappingRepo({ db: upgraded.db }).load().entries.map((e) => [e.stationId, e.upstreamEvseId])).toEqual([
        ['CP-1', 1],
        ['CP-2', 2],
      ]);
      expect(upgraded.db.prepare('SELECT control_id FROM der_controls').all()).toEqual([{ control_id: 'ctl-1' }]);
      expect(upgraded.messages.count()).toBe(1);
      expect(upgraded.outbox.count()).toBe(1);
      // The repositories work on the upgraded file without creating anything themselves.
      new DerRepo({ db: upgraded.db, clock }).save(EMPTY_DER_STATE);
      expect(upgraded.db.prepare('SELECT COUNT(*) AS n FROM der_controls').get()).toEqual({ n: 0 });
    } finally {
      upgraded.close();
      fresh.close();
    }
  });

  it('opening the upgraded file again applies nothing', () => {
    const clock = new FakeClock();
    const oldFile = file('old.db');
    writeOldDatabase(oldFile, clock);
    openStore({ path: oldFile, clock }).close();
    const db = new Database(oldFile);
    try {
      expect(migrate(db, { clock }).applied).toEqual([]);
    } finally {
      db.close();
    }
  });
});
