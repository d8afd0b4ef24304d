import { describe, it, expect, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

describe('openDatabase', () => {
  let dir: string;
  let db: SqliteDatabase | undefined;

  const open = (options: { busyTimeoutMs?: number } = {}): SqliteDatabase => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-db-'));
    db = openDatabase({ path: path.join(dir, 'hub.db'), clock: new FakeClock(), ...options });
    return db;
  };

  afterEach(() => {
    db?.close();
    db = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses write-ahead logging', () => {
    expect(open().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('syncs every commit fully', () => {
    // 2 = FULL
    expect(open().pragma('synchronous', { simple: true })).toBe(2);
  });

  it('enforces foreign keys', () => {
    expect(open().pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('waits for locks for the configured busy timeout', () => {
    expect(open({ busyTimeoutMs: 1234 }).pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('opens an in-memory database with the full schema', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-db-'));
    db = openDatabase({ path: ':memory:' });
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'transactions'")
      .all();
    expect(tables).toEqual([{ name: 'transactions' }]);
  });
});
