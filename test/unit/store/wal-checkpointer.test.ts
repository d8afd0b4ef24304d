import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../../src/store/database.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { WalCheckpointer, type CheckpointResult } from '../../../src/store/wal-checkpointer.js';

let dir: string;
let db: SqliteDatabase | undefined;
let checkpointer: WalCheckpointer | undefined;
let store: Store | undefined;
afterEach(() => {
  checkpointer?.close();
  checkpointer = undefined;
  db?.close();
  db = undefined;
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function openDb(): SqliteDatabase {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-ckpt-'));
  db = openDatabase({ path: join(dir, 'db.sqlite') });
  return db;
}

/** One write of about a page, committed on its own. */
function writePage(d: SqliteDatabase, i: number): void {
  d.prepare('INSERT INTO message_log (station_id, action, payload_json, time_ms) VALUES (?, ?, ?, ?)').run('CP1', 'DataTransfer', JSON.stringify({ i, pad: 'x'.repeat(3000) }), i);
}

/** Frames in a database's write-ahead log file (its size: a checkpoint restarts the log but never shrinks it). */
function walFrames(path: string, pageSize: number): number {
  return Math.round((statSync(`${path}-wal`).size - 32) / (pageSize + 24));
}

describe('WalCheckpointer', () => {
  it('moves the connection’s own checkpoint up to the backstop: commits past SQLite’s threshold leave the log to the worker', () => {
    const d = openDb();
    const pageSize = Number(d.pragma('page_size', { simple: true }));
    // Control: without it, SQLite checkpoints in the commit that crosses 1,000 frames and the log starts over.
    const control = openDatabase({ path: join(dir, 'control.sqlite') });
    try {
      for (let i = 0; i < 1_200; i++) writePage(control, i);
      expect(walFrames(join(dir, 'control.sqlite'), pageSize)).toBeLessThan(1_100);
    } finally {
      control.close();
    }
    checkpointer = new WalCheckpointer(d, { everyCommits: 1_000_000, intervalMs: 3_600_000 });
    expect(d.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    for (let i = 0; i < 1_200; i++) writePage(d, i);
    expect(walFrames(join(dir, 'db.sqlite'), pageSize)).toBeGreaterThan(1_200);
  });

  it('a writer that commits during every worker checkpoint: the backstop keeps the log bounded (without it the log only grows)', async () => {
    const frames = async (backstopPages: number, name: string): Promise<number> => {
      const s = openStore({ path: join(dir, name) });
      const cp = new WalCheckpointer(s.db, { everyCommits: 5, intervalMs: 3_600_000, backstopPages });
      s.batch.onCommit(() => cp.committed());
      try {
        // One commit after another, each waited for: no gap in which a checkpoint copies all of the log.
        for (let i = 0; i < 2_000; i++) {
          s.batch.begin();
          writePage(s.db, i);
          await s.batch.barrier();
        }
        expect((s.db.prepare('SELECT COUNT(*) AS n FROM message_log').get() as { n: number }).n).toBe(2_000);
        return walFrames(join(dir, name), Number(s.db.pragma('page_size', { simple: true })));
      } finally {
        cp.close();
        s.close();
      }
    };
    dir = mkdtempSync(join(tmpdir(), 'switchyard-ckpt-'));
    // Each write is about a page: 2,000 writes are 2,000 frames or more in a log never started over.
    expect(await frames(0, 'unbounded.sqlite')).toBeGreaterThan(1_900);
    expect(await frames(200, 'bounded.sqlite')).toBeLessThan(600);
  });

  it('checkpoints in the worker: everything committed is copied, and the data stays readable', async () => {
    const d = openDb();
    checkpointer = new WalCheckpointer(d, { everyCommits: 1_000_000, intervalMs: 3_600_000 });
    for (let i = 0; i < 50; i++) writePage(d, i);
    const result = await checkpointer.checkpoint();
    expect(result).toBeDefined();
    expect(result!.busy).toBe(0);
    expect(result!.log).toBeGreaterThan(0);
    expect(result!.checkpointed).toBe(result!.log);
    expect((d.prepare('SELECT COUNT(*) AS n FROM message_log').get() as { n: number }).n).toBe(50);
  });

  it('asks for a checkpoint after every `everyCommits` commits of the group commit', async () => {
    const s = (store = openStoreIn(false));
    const done: CheckpointResult[] = [];
    let notify: () => void = () => undefined;
    const third = new Promise<void>((resolve) => (notify = resolve));
    checkpointer = new WalCheckpointer(s.db, {
      everyCommits: 3,
      intervalMs: 3_600_000,
      onCheckpointed: (r) => {
        done.push(r);
        notify();
      },
    });
    const cp = checkpointer;
    s.batch.onCommit(() => cp.committed());
    for (let i = 0; i < 3; i++) {
      s.batch.begin();
      writePage(s.db, i);
      await s.batch.barrier();
    }
    await third;
    expect(done).toHaveLength(1);
    expect(done[0]!.checkpointed).toBe(done[0]!.log);
  });

  it('falls back to SQLite’s own checkpoint when the worker fails: told once, the connection checkpoints past the threshold again', async () => {
    const d = openDb();
    const pageSize = Number(d.pragma('page_size', { simple: true }));
    const failures: unknown[] = [];
    let notify: () => void = () => undefined;
    const failed = new Promise<void>((resolve) => (notify = resolve));
    checkpointer = new WalCheckpointer(d, {
      everyCommits: 1_000_000,
      intervalMs: 3_600_000,
      sqliteModule: join(dir, 'no-such-module.cjs'),
      onFailure: (err) => {
        failures.push(err);
        notify();
      },
    });
    await failed;
    expect(failures).toHaveLength(1);
    expect(d.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    expect(await checkpointer.checkpoint()).toBeUndefined();
    for (let i = 0; i < 1_200; i++) writePage(d, i);
    expect(walFrames(join(dir, 'db.sqlite'), pageSize)).toBeLessThan(1_100);
    expect((d.prepare('SELECT COUNT(*) AS n FROM message_log').get() as { n: number }).n).toBe(1_200);
  });

  it('keeps every commit made between and during worker checkpoints: all rows there after close and reopen, the log checkpointed', async () => {
    const s = (store = openStoreIn(false));
    const cp = new WalCheckpointer(s.db, { everyCommits: 5, intervalMs: 3_600_000 });
    s.batch.onCommit(() => cp.committed());
    checkpointer = cp;
    const checkpoints: Array<Promise<CheckpointResult | undefined>> = [];
    for (let i = 0; i < 40; i++) {
      s.batch.begin();
      s.messages.append('CP1', 'DataTransfer', { i, pad: 'x'.repeat(3000) });
      await s.batch.barrier();
      if (i % 7 === 0) checkpoints.push(cp.checkpoint());
    }
    const results = await Promise.all(checkpoints);
    expect(results.every((r) => r !== undefined && r.busy === 0)).toBe(true);
    cp.close();
    checkpointer = undefined;
    s.close();
    store = undefined;
    expect(existsSync(join(dir, 'db.sqlite-wal'))).toBe(false);
    store = openStore({ path: join(dir, 'db.sqlite') });
    expect(store.messages.count()).toBe(40);
  });

  it('a store that checkpoints in a worker closes it first and removes the log when it closes, keeping the data', async () => {
    const s = (store = openStoreIn(true));
    expect(s.db.pragma('wal_autocheckpoint', { simple: true })).toBe(4096);
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', { kept: true });
    await s.batch.barrier();
    s.close();
    store = undefined;
    expect(existsSync(join(dir, 'db.sqlite-wal'))).toBe(false);
    store = openStore({ path: join(dir, 'db.sqlite') });
    expect(store.messages.count()).toBe(1);
  });
});

function openStoreIn(checkpointInWorker: boolean): Store {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-ckpt-'));
  const failed = (err: unknown) => {
    throw err;
  };
  return openStore({ path: join(dir, 'db.sqlite'), ...(checkpointInWorker ? { checkpointInWorker: { onFailure: failed } } : {}) });
}
