import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';

/**
 * Free bytes (available to this user) on the file system that holds the database, or
 * undefined for an in-memory database or when the file system cannot be asked.
 */
export function freeBytesNear(db: Database.Database): number | undefined {
  if (db.memory || db.name === '' || db.name === ':memory:') return undefined;
  try {
    const s = statfsSync(dirname(db.name));
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}
