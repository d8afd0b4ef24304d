import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../../src/store/store.js';

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
});
