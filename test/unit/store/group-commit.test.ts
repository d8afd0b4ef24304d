import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type Store } from '../../../src/store/store.js';
import { GroupCommit } from '../../../src/store/group-commit.js';

let dir: string;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function open(): Store {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-gc-'));
  store = openStore({ path: join(dir, 'db.sqlite') });
  return store;
}

describe('group commit', () => {
  it('commits the writes of one turn together and releases the barrier after the commit', async () => {
    const s = open();
    s.batch.begin();
    for (let i = 0; i < 50; i++) s.messages.append('CP1', 'DataTransfer', { i });
    s.batch.begin(); // a second begin in the same turn joins the batch
    expect(s.db.inTransaction).toBe(true);
    await s.batch.barrier();
    expect(s.db.inTransaction).toBe(false);
    expect(s.batch.commitCount).toBe(1);
    expect(s.messages.count()).toBe(50);
  });

  it('keeps a batch committed and its barrier resolved when a commit listener throws', async () => {
    const s = open();
    let rolledBack = 0;
    let told = 0;
    s.batch.onRollback(() => rolledBack++);
    s.batch.onCommit(() => {
      told++;
      throw new Error('listener broke');
    });
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', { i: 1 });
    await s.batch.barrier();
    expect(told).toBe(1);
    expect(rolledBack).toBe(0);
    expect(s.messages.count()).toBe(1);
  });

  it('lets repositories nest their own transactions inside a batch', async () => {
    const s = open();
    s.batch.begin();
    s.authorizations.upsertMany([{ idToken: 'A', status: 'Accepted' }], 3);
    await s.batch.barrier();
    expect(s.authorizations.version()).toBe(3);
  });

  it('has an immediately resolved barrier when no batch is open', async () => {
    const s = open();
    s.messages.append('CP1', 'Heartbeat', {});
    await expect(s.batch.barrier()).resolves.toBeUndefined();
    expect(s.batch.commitCount).toBe(0);
  });

  it('keeps batched writes across a reopen once the barrier resolved', async () => {
    const s = open();
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', { kept: true });
    await s.batch.barrier();
    s.close();
    store = openStore({ path: join(dir, 'db.sqlite') });
    expect(store.messages.count()).toBe(1);
  });

  it('commits an open batch when the store closes', () => {
    const s = open();
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', {});
    s.close();
    store = openStore({ path: join(dir, 'db.sqlite') });
    expect(store.messages.count()).toBe(1);
  });

  describe('lazily (bookkeeping no answer waits for)', () => {
    /** Rows of the message log as another connection to the file sees them: only committed ones. */
    function committedMessages(): number {
      const reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
      try {
        return (reader.prepare('SELECT COUNT(*) AS n FROM message_log').get() as { n: number }).n;
      } finally {
        reader.close();
      }
    }
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

    it('shows its writes at once, lets the barrier pass without waiting for them, and commits them at the end of the turn', async () => {
      const s = open();
      s.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      expect(s.messages.count()).toBe(1);
      await s.batch.barrier();
      expect(s.batch.commitCount).toBe(0);
      expect(committedMessages()).toBe(0);
      await nextTurn();
      expect(s.batch.commitCount).toBe(1);
      expect(committedMessages()).toBe(1);
    });

    it('makes the barrier wait again once another write joins its batch', async () => {
      const s = open();
      s.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      s.messages.append('CP1', 'Note', { answered: true }); // a write that is not bookkeeping, without begin()
      await s.batch.barrier();
      expect(s.batch.commitCount).toBe(1);
      expect(committedMessages()).toBe(2);
    });

    it('makes the barrier wait once a handler begins in the same turn', async () => {
      const s = open();
      s.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      s.batch.begin();
      s.messages.append('CP1', 'MeterValues', {});
      await s.batch.barrier();
      expect(s.batch.commitCount).toBe(1);
      expect(committedMessages()).toBe(2);
    });

    it('joins a batch that barriers already wait for', async () => {
      const s = open();
      s.batch.begin();
      s.messages.append('CP1', 'MeterValues', {});
      s.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      await s.batch.barrier();
      expect(s.batch.commitCount).toBe(1);
      expect(committedMessages()).toBe(2);
    });

    it('is undone as a whole by a crash before the commit, and kept after it', async () => {
      const s = open();
      const entry = s.outbox.append('CP1', 'TransactionEvent', { seqNo: 4 }, { kind: 'billing' });
      s.batch.lazily(() => {
        s.outbox.ack(entry.seq);
        s.stationState.set('CP1', 'upstream.nextSeqNo.T1', 5);
      });
      expect(s.outbox.count('CP1')).toBe(0);
      s.db.close(); // a crash: the open batch is never committed
      let again = openStore({ path: join(dir, 'db.sqlite') });
      expect(again.outbox.count('CP1')).toBe(1);
      expect(again.stationState.get('CP1', 'upstream.nextSeqNo.T1')).toBeUndefined();

      again.batch.lazily(() => {
        again.outbox.ack(entry.seq);
        again.stationState.set('CP1', 'upstream.nextSeqNo.T1', 5);
      });
      await nextTurn();
      again.db.close(); // a crash after the commit
      again = openStore({ path: join(dir, 'db.sqlite') });
      store = again;
      expect(again.outbox.count('CP1')).toBe(0);
      expect(again.stationState.get('CP1', 'upstream.nextSeqNo.T1')).toBe(5);
    });
  });

  describe('how a batch reaches the disk', () => {
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    /** A group commit on the store's database that counts the extra log syncs it makes. */
    function counting(s: Store): { batch: GroupCommit; syncs: () => number; level: () => unknown } {
      let syncs = 0;
      const batch = new GroupCommit(s.db, {
        syncLog: () => {
          syncs++;
          return Promise.resolve();
        },
        syncLogNow: () => void syncs++,
      });
      return { batch, syncs: () => syncs, level: () => s.db.pragma('synchronous', { simple: true }) };
    }
    const FULL = 2;
    const NORMAL = 1;

    it('commits a batch of lazily writes only without an fsync (synchronous NORMAL), then the connection is back at FULL', async () => {
      const s = open();
      const c = counting(s);
      c.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      expect(c.level()).toBe(NORMAL);
      await nextTurn();
      expect(c.batch.commitCount).toBe(1);
      expect(c.syncs()).toBe(0);
      expect(c.level()).toBe(FULL);
    });

    it('syncs the log after the commit when another write joined a lazily batch, before releasing the barrier', async () => {
      const s = open();
      const c = counting(s);
      c.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      s.messages.append('CP1', 'Note', {});
      await c.batch.barrier();
      expect(c.syncs()).toBe(1);
      expect(c.level()).toBe(FULL);
    });

    it('syncs the log after the commit when a handler began in a lazily batch', async () => {
      const s = open();
      const c = counting(s);
      c.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      c.batch.begin();
      s.messages.append('CP1', 'MeterValues', {});
      await c.batch.barrier();
      expect(c.syncs()).toBe(1);
    });

    it('commits a batch opened by a handler without an fsync inside COMMIT and syncs the log once after it, lazily writes included', async () => {
      const s = open();
      const c = counting(s);
      c.batch.begin();
      expect(c.level()).toBe(NORMAL);
      s.messages.append('CP1', 'MeterValues', {});
      c.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      await c.batch.barrier();
      expect(c.syncs()).toBe(1);
      expect(c.level()).toBe(FULL);
    });

    it('commits a batch a handler began but wrote nothing to (lazily writes aside) without a sync, and releases its barrier after the commit', async () => {
      const s = open();
      const c = counting(s);
      c.batch.begin();
      c.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      await c.batch.barrier();
      expect(c.batch.commitCount).toBe(1);
      expect(c.syncs()).toBe(0);
      expect(c.level()).toBe(FULL);
      expect(s.messages.count()).toBe(1);
    });

    it('leaves the connection at FULL when it cannot open a batch (another writer holds the lock)', () => {
      const s = open();
      const path = join(dir, 'db.sqlite');
      const impatient = new Database(path, { timeout: 0 });
      const other = new Database(path);
      try {
        impatient.pragma('synchronous = FULL');
        const batch = new GroupCommit(impatient);
        other.exec('BEGIN IMMEDIATE');
        expect(() => batch.lazily(() => impatient.prepare("INSERT INTO message_log (station_id, action, payload_json, time_ms) VALUES ('CP1', 'X', '{}', 0)").run())).toThrow(/busy|locked/i);
        expect(impatient.pragma('synchronous', { simple: true })).toBe(FULL);
        other.exec('ROLLBACK');
      } finally {
        other.close();
        impatient.close();
      }
      expect(s.messages.count()).toBe(0);
    });

    it('syncs the write-ahead log file by default', async () => {
      const s = open();
      s.batch.lazily(() => s.messages.append('CP1', 'UpstreamAck', { seq: 1 }));
      s.messages.append('CP1', 'Note', {});
      await expect(s.batch.barrier()).resolves.toBeUndefined();
      expect(s.db.pragma('synchronous', { simple: true })).toBe(FULL);
    });
  });
});

describe('group commit: the commit gate (test seam for a slow or failing commit)', () => {
  it('holds the commit until the gate opens; writes made meanwhile join the batch', async () => {
    const s = open();
    let openGate: () => void = () => undefined;
    let entered = false;
    s.batch.gateCommits(() => {
      entered = true;
      return new Promise<void>((resolve) => (openGate = resolve));
    });
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', { i: 1 });
    const barrier = s.batch.barrier();
    await new Promise((resolve) => setImmediate(resolve));
    expect(entered).toBe(true);
    expect(s.db.inTransaction).toBe(true);
    s.messages.append('CP1', 'DataTransfer', { i: 2 });
    openGate();
    await barrier;
    expect(s.db.inTransaction).toBe(false);
    expect(s.batch.commitCount).toBe(1);
    expect(s.messages.count()).toBe(2);
  });

  it('fails the commit when the gate rejects: rolled back, barriers rejected', async () => {
    const s = open();
    s.batch.gateCommits(() => Promise.reject(new Error('database or disk is full')));
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', { i: 1 });
    await expect(s.batch.barrier()).rejects.toThrow('disk is full');
    expect(s.db.inTransaction).toBe(false);
    expect(s.messages.count()).toBe(0);
    s.batch.gateCommits(undefined);
    s.batch.begin();
    s.messages.append('CP1', 'DataTransfer', { i: 2 });
    await s.batch.barrier();
    expect(s.messages.count()).toBe(1);
  });
});
