import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src/store/database.js';
import { migrate, schemaVersion, type Migration } from '../../../src/store/migrations.js';
import { MIGRATIONS } from '../../../src/store/schema-steps.js';
import { StoreError } from '../../../src/store/store-error.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

describe('migrations', () => {
  let dir: string | undefined;
  const dbs: Database.Database[] = [];

  const dbPath = (): string => {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-mig-'));
    return path.join(dir, 'hub.db');
  };
  const track = (db: Database.Database): Database.Database => {
    dbs.push(db);
    return db;
  };

  afterEach(() => {
    for (const db of dbs.splice(0)) if (db.open) db.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const appliedRows = (db: Database.Database): { version: number; applied_ms: number }[] =>
    db.prepare<[], { version: number; applied_ms: number }>('SELECT version, applied_ms FROM schema_migrations ORDER BY version').all();

  it('applies every migration once to a fresh database', () => {
    const clock = new FakeClock();
    const db = track(openDatabase({ path: dbPath(), clock }));
    expect(appliedRows(db)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, applied_ms: clock.nowMs() })));
  });

  it('reopening an up-to-date database applies nothing', () => {
    const clock = new FakeClock();
    track(openDatabase({ path: dbPath(), clock })).close();
    clock.advanceMs(60_000);
    const db = track(openDatabase({ path: dbPath(), clock }));
    expect(appliedRows(db).every((r) => r.applied_ms === clock.nowMs() - 60_000)).toBe(true);
    expect(appliedRows(db)).toHaveLength(MIGRATIONS.length);
  });

  it('migrating twice is a no-op the second time', () => {
    const db = track(openDatabase({ path: dbPath(), clock: new FakeClock() }));
    const again = migrate(db, { clock: new FakeClock() });
    expect(again).toEqual({ fromVersion: MIGRATIONS.length, toVersion: MIGRATIONS.length, applied: [] });
  });

  it('keeps data across close and reopen', () => {
    const first = track(openDatabase({ path: dbPath(), clock: new FakeClock() }));
    first.prepare("INSERT INTO counters (name, value) VALUES ('test', 42)").run();
    first.close();
    const second = track(openDatabase({ path: dbPath(), clock: new FakeClock() }));
    expect(second.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'test'").get()).toEqual({ value: 42 });
  });

  it('refuses a database written by a newer schema', () => {
    const db = track(openDatabase({ path: dbPath(), clock: new FakeClock() }));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, 'from the future', 0)").run(MIGRATIONS.length + 1);
    db.close();
    let caught: unknown;
    try {
      openDatabase({ path: dbPath(), clock: new FakeClock() });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect(caught).toMatchObject({ code: 'STORE_SCHEMA_TOO_NEW' });
  });

  it('applies only the migrations a database is missing', () => {
    const db = track(new Database(dbPath()));
    const steps: Migration[] = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER) STRICT' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (y INTEGER) STRICT' },
    ];
    migrate(db, { clock: new FakeClock(), migrations: steps.slice(0, 1) });
    const result = migrate(db, { clock: new FakeClock(), migrations: steps });
    expect(result).toEqual({ fromVersion: 1, toVersion: 2, applied: [2] });
  });

  it('rolls back every step of a failed migration run', () => {
    const db = track(new Database(dbPath()));
    const steps: Migration[] = [
      { version: 1, name: 'good', sql: 'CREATE TABLE good (x INTEGER) STRICT' },
      { version: 2, name: 'bad', sql: 'CREATE TABLE bad (x INTEGER) STRICT; INSERT INTO missing VALUES (1)' },
    ];
    expect(() => migrate(db, { clock: new FakeClock(), migrations: steps })).toThrow(
      expect.objectContaining({ code: 'STORE_MIGRATION_FAILED' }),
    );
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE name IN ('good', 'bad')").all();
    expect({ tables, version: schemaVersion(db) }).toEqual({ tables: [], version: 0 });
  });

  it('rejects a migration list whose versions are out of order', () => {
    const db = track(new Database(dbPath()));
    const steps: Migration[] = [{ version: 2, name: 'skips one', sql: 'SELECT 1' }];
    expect(() => migrate(db, { clock: new FakeClock(), migrations: steps })).toThrow(
      expect.objectContaining({ code: 'STORE_MIGRATIONS_INVALID' }),
    );
  });
});
