import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock.js';
import { StoreError } from './store-error.js';
import { MIGRATIONS } from './schema-steps.js';

/** One step of the schema. Versions are 1, 2, 3, ... in order; a released step is never edited. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrateOptions {
  clock: Clock;
  /** Defaults to MIGRATIONS; tests pass their own lists. */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** Schema version before the call. */
  fromVersion: number;
  /** Schema version after the call. */
  toVersion: number;
  /** Versions applied by this call, in order (empty when already up to date). */
  applied: number[];
}

interface VersionRow {
  version: number | null;
}

/**
 * Brings the schema up to date. All pending steps run in one IMMEDIATE transaction together
 * with their rows in `schema_migrations`, so a failure leaves the schema exactly as it was and
 * two processes opening the same file cannot both migrate. Calling it again is a no-op.
 * A database whose version is higher than the newest known step is refused.
 */
export function migrate(db: Database.Database, options: MigrateOptions): MigrateResult {
  const migrations = options.migrations ?? MIGRATIONS;
  assertWellFormed(migrations);
  const latest = migrations.length;

  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_ms INTEGER NOT NULL
  ) STRICT`);
  const currentVersion = db.prepare<[], VersionRow>('SELECT MAX(version) AS version FROM schema_migrations');
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)',
  );

  const run = db.transaction((): MigrateResult => {
    const fromVersion = currentVersion.get()?.version ?? 0;
    if (fromVersion > latest) {
      throw new StoreError(
        'STORE_SCHEMA_TOO_NEW',
        `database schema is version ${fromVersion}, this build knows up to version ${latest}; ` +
          'it was written by a newer Switchyard: upgrade, or open a copy of an older backup',
      );
    }
    const applied: number[] = [];
    for (const m of migrations.slice(fromVersion)) {
      try {
        db.exec(m.sql);
      } catch (err) {
        throw new StoreError(
          'STORE_MIGRATION_FAILED',
          `schema migration ${m.version} (${m.name}) failed: ${errorMessage(err)}`,
          { cause: err },
        );
      }
      record.run(m.version, m.name, options.clock.nowMs());
      applied.push(m.version);
    }
    return { fromVersion, toVersion: Math.max(fromVersion, latest), applied };
  });
  return run.immediate();
}

/** The schema version recorded in the database (0 for a fresh one). */
export function schemaVersion(db: Database.Database): number {
  const row = db.prepare<[], VersionRow>('SELECT MAX(version) AS version FROM schema_migrations').get();
  return row?.version ?? 0;
}

function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new StoreError(
        'STORE_MIGRATIONS_INVALID',
        `migration at position ${i} has version ${m.version}; expected ${i + 1}`,
      );
    }
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
