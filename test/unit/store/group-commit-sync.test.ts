import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../../src/store/group-commit.js';
import { useTempStores } from './temp-store.js';

describe('group commit: the log sync runs off the event loop', () => {
  const stores = useTempStores();
  /** A log sync the test holds and releases (or fails), one call at a time. */
  function heldSyncs() {
    const calls: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
    let now = 0;
    return {
      calls,
      nowCalls: () => now,
      options: {
        syncLog: () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
        syncLogNow: () => void now++,
      },
    };
  }
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  /** A group commit with held syncs, one batch with a write committed and its sync running. */
  async function oneWriteSyncing() {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    await nextTurn(); // committed, its sync is running
    return { s, held, batch };
  }
  function committedRows(): number {
    const reader = new Database(stores.dbPath(), { readonly: true });
    try {
      return (reader.prepare('SELECT COUNT(*) AS n FROM message_log').get() as { n: number }).n;
    } finally {
      reader.close();
    }
  }

  it('releases the barrier only when the sync after the commit returns, while the event loop runs on', async () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    let released = false;
    const barrier = batch.barrier().then(() => (released = true));
    await nextTurn();
    await nextTurn();
    expect(batch.commitCount).toBe(1);
    expect(committedRows()).toBe(1); // committed (visible to others), not yet synced
    expect(held.calls).toHaveLength(1);
    expect(released).toBe(false);
    held.calls[0]!.resolve();
    await barrier;
    expect(released).toBe(true);
  });

  it('makes a barrier asked for after the commit wait for that commit’s sync', async () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    await nextTurn(); // committed, the sync is running
    expect(s.db.inTransaction).toBe(false);
    let released = false;
    const late = batch.barrier().then(() => (released = true));
    await nextTurn();
    expect(released).toBe(false);
    held.calls[0]!.resolve();
    await late;
    expect(released).toBe(true);
  });

  it('makes the barrier of a batch without writes wait for an earlier batch’s sync still running', async () => {
    const { held, batch } = await oneWriteSyncing();
    batch.begin(); // a handler that writes nothing (a relayed Authorize)
    let released = false;
    const barrier = batch.barrier().then(() => (released = true));
    await nextTurn();
    expect(batch.commitCount).toBe(2);
    expect(released).toBe(false);
    // It covers what was written before it, which the running sync makes durable: released
    // with that sync, and no sync of its own (it carries nothing).
    held.calls[0]!.resolve();
    await barrier;
    expect(released).toBe(true);
    expect(held.calls).toHaveLength(1);
  });

  it('makes the barrier of a batch without writes wait for the queued sync that covers the last write', async () => {
    const { s, held, batch } = await oneWriteSyncing();
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 2 });
    await nextTurn(); // committed after that sync started: a sync queued behind it
    batch.begin(); // writes nothing
    let released = false;
    const barrier = batch.barrier().then(() => (released = true));
    await nextTurn();
    held.calls[0]!.resolve();
    await nextTurn();
    expect(released).toBe(false); // the second write is not synced yet
    expect(held.calls).toHaveLength(2);
    held.calls[1]!.resolve();
    await barrier;
    expect(released).toBe(true);
    expect(held.calls).toHaveLength(2);
  });

  it('rejects the barrier of a batch without writes when the earlier sync it waits for fails', async () => {
    const { held, batch } = await oneWriteSyncing();
    batch.begin(); // writes nothing, but its barrier covers the write before it
    const barrier = batch.barrier();
    await nextTurn();
    held.calls[0]!.reject(new Error('EIO: i/o error, fdatasync'));
    await expect(barrier).rejects.toThrow('EIO');
    expect(held.calls).toHaveLength(1);
  });

  it('closing while a batch without writes waits for an earlier sync syncs on the event loop and releases it', async () => {
    const { held, batch } = await oneWriteSyncing();
    batch.begin();
    const barrier = batch.barrier();
    batch.close();
    await expect(barrier).resolves.toBeUndefined();
    expect(held.nowCalls()).toBeGreaterThanOrEqual(1);
  });

  it('releases the barrier of a batch without writes after its commit, with no sync, when none is pending', async () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    await batch.barrier();
    expect(batch.commitCount).toBe(1);
    expect(held.calls).toHaveLength(0);
  });

  it('rejects the barriers a failed sync covers; the next batch syncs again and passes', async () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    const failed = batch.barrier();
    await nextTurn();
    held.calls[0]!.reject(new Error('EIO: i/o error, fdatasync'));
    await expect(failed).rejects.toThrow('EIO');
    expect(s.messages.count()).toBe(1); // committed; durable with the next sync
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 2 });
    const next = batch.barrier();
    await nextTurn();
    expect(held.calls).toHaveLength(2);
    held.calls[1]!.resolve();
    await expect(next).resolves.toBeUndefined();
  });

  it('runs one sync at a time: batches committed while one runs share the next', async () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    const barriers: Array<Promise<void>> = [];
    for (let i = 0; i < 4; i++) {
      batch.begin();
      s.messages.append('CP1', 'MeterValues', { i });
      barriers.push(batch.barrier());
      await nextTurn();
    }
    expect(batch.commitCount).toBe(4);
    expect(held.calls).toHaveLength(1); // the other three wait for the queued one
    held.calls[0]!.resolve();
    await barriers[0];
    await nextTurn();
    expect(held.calls).toHaveLength(2);
    held.calls[1]!.resolve();
    await Promise.all(barriers);
    expect(held.calls).toHaveLength(2);
  });

  it('syncs on the event loop when the store closes an open batch', () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    batch.commit();
    expect(held.nowCalls()).toBe(1);
    expect(held.calls).toHaveLength(0);
  });

  it('closing while a sync runs and one is queued: synced on the event loop, every barrier resolves, the late failure is ignored', async () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    const barriers: Array<Promise<void>> = [];
    for (let i = 0; i < 2; i++) {
      batch.begin();
      s.messages.append('CP1', 'MeterValues', { i });
      barriers.push(batch.barrier());
      await nextTurn();
    }
    expect(held.calls).toHaveLength(1); // one running, the second batch queued behind it
    batch.close();
    expect(held.nowCalls()).toBe(1);
    // The running sync fails once its descriptor is gone: what it covered was synced by close().
    held.calls[0]!.reject(new Error('EBADF: bad file descriptor, fdatasync'));
    await expect(Promise.all(barriers)).resolves.toEqual([undefined, undefined]);
    expect(held.calls).toHaveLength(1); // the queued sync never started
  });

  it('closing with no sync pending does not sync again', () => {
    const s = stores.open();
    const held = heldSyncs();
    const batch = new GroupCommit(s.db, held.options);
    batch.close();
    batch.close();
    expect(held.nowCalls()).toBe(0);
    expect(held.calls).toHaveLength(0);
  });
});
