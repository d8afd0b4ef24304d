import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './store-error.js';

export interface BackupResult {
  /** The backup file written. */
  path: string;
  bytes: number;
  /** Schema version recorded in the copy (what a restore will migrate from). */
  schemaVersion: number;
  durationMs: number;
}

/** Pages per backup step after the first: the whole file, so the copy is one consistent snapshot. */
const ALL_PAGES = 2 ** 30;

/**
 * Copies the hub's database into `targetPath` with SQLite's online backup, safe while the hub
 * runs: the source is opened read-only on its own connection, and in WAL mode the read
 * snapshot the copy takes never blocks the hub's writes. The copy is written next to the target
 * and renamed into place only once complete and checked (`PRAGMA quick_check`), so a failed or
 * interrupted backup never leaves a half file under the target's name. An existing target is
 * replaced.
 */
export async function backupDatabase(dbPath: string, targetPath: string, nowMs: () => number = Date.now): Promise<BackupResult> {
  const source = resolve(dbPath);
  const target = resolve(targetPath);
  if (!existsSync(source)) throw new StoreError('STORE_BACKUP_FAILED', `no database at ${source}: check --config / --data-dir`);
  if (target === source) throw new StoreError('STORE_BACKUP_FAILED', `the backup file must not be the database itself (${source})`);
  const startedMs = nowMs();
  const partial = `${target}.partial-${process.pid}`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // The first step copies 100 pages; then everything in one step (one read snapshot, so a
    // write by the running hub cannot restart the copy halfway).
    await db.backup(partial, { progress: () => ALL_PAGES });
  } catch (err) {
    rmSync(partial, { force: true });
    throw new StoreError('STORE_BACKUP_FAILED', `backup of ${source} to ${target} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    db.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  let schemaVersion = 0;
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError('STORE_BACKUP_FAILED', `the copy of ${source} does not pass quick_check: ${String(check)}`);
    schemaVersion = copy.prepare<[], { v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations').get()?.v ?? 0;
    // One self-contained file: the copy leaves WAL mode (the hub switches it back when it opens it).
    copy.pragma('journal_mode = DELETE');
  } catch (err) {
    copy.close();
    rmSync(partial, { force: true });
    throw err instanceof StoreError ? err : new StoreError('STORE_BACKUP_FAILED', `checking the copy failed: ${(err as Error).message}`, { cause: err });
  }
  copy.close();
  renameSync(partial, target);
  return { path: target, bytes: statSync(target).size, schemaVersion, durationMs: nowMs() - startedMs };
}
