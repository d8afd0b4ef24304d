import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/store/group-commit.js';
import { useTempStores } from './temp-store.js';

/** GroupCommit.written(): the commit of the turn's batch, not the log's sync after it; and the sync gate for tests. */
describe('group commit: written, before the sync', () => {
  const stores = useTempStores();
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  function heldSync() {
    const calls: Array<() => void> = [];
    return { calls, options: { syncLog: () => new Promise<void>((resolve) => calls.push(resolve)), syncLogNow: () => undefined } };
  }

  it('resolves once the batch is committed while its sync is still running; the barrier waits for the sync', async () => {
    const s = stores.open();
    const held = heldSync();
    const batch = new GroupCommit(s.db, held.options);
    batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    let written = false;
    let durable = false;
    const w = batch.written().then(() => (written = true));
    const d = batch.barrier().then(() => (durable = true));
    expect(written).toBe(false); // not before the end-of-turn commit
    await w;
    expect(s.db.inTransaction).toBe(false);
    expect(held.calls).toHaveLength(1);
    await nextTurn();
    expect(durable).toBe(false);
    held.calls[0]!();
    await d;
    expect(durable).toBe(true);
  });

  it('resolves at once when no batch is open, and rejects when the commit fails', async () => {
    const s = stores.open();
    await expect(s.batch.written()).resolves.toBeUndefined();
    s.batch.gateCommits(() => Promise.reject(new Error('database or disk is full')));
    s.batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    await expect(s.batch.written()).rejects.toThrow('database or disk is full');
    s.batch.gateCommits(undefined);
    expect(s.messages.count()).toBe(0);
  });

  it('holds each sync at the sync gate with the commit already written, until the gate opens', async () => {
    const s = stores.open();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered = 0;
    s.batch.gateSyncs(() => {
      entered++;
      return gate;
    });
    s.batch.begin();
    s.messages.append('CP1', 'MeterValues', { i: 1 });
    let durable = false;
    const d = s.batch.barrier().then(() => (durable = true));
    await s.batch.written();
    await nextTurn();
    expect(entered).toBe(1);
    expect(durable).toBe(false);
    s.batch.gateSyncs(undefined);
    open();
    await d;
    expect(durable).toBe(true);
  });
});
