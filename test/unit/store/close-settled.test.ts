import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import { useTempStores } from './temp-store.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A station's write whose sync is held, and an ack chained on its barrier the way the outbox pump
 * chains one on a message answered before its sync (two hops after the barrier, then a lazily()
 * write). Returns how to let the sync run and what the ack's write came to.
 */
async function heldWriteWithAck(store: Store): Promise<{ open: () => void; acked: Promise<'written' | Error> }> {
  await nextTurn();
  let open: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (open = resolve));
  store.batch.gateSyncs(() => held);
  store.batch.begin();
  store.stations.upsertBoot({ stationId: 'CP1', version: '2.0.1', bootStatus: 'Accepted', lastBootMs: 1 });
  const recorded = store.batch.barrier();
  const acked = recorded
    .then(() => undefined)
    .then(() => {
      store.batch.lazily(() => store.siteState.set('test.ack', { seq: 7 }));
      return 'written' as const;
    })
    .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  // The batch commits at the end of this turn; its sync then waits at the gate.
  await nextTurn();
  return { open, acked };
}

describe('closing the store on a clean stop', () => {
  const stores = useTempStores();

  it('closeSettled waits for the sync under way and for the ack chained on it, which then survives the restart', async () => {
    const store = stores.open();
    const { open, acked } = await heldWriteWithAck(store);
    const closing = store.closeSettled();
    expect(store.db.open).toBe(true); // still waiting for the held sync
    open();
    await closing;
    expect(await acked).toBe('written');
    expect(store.db.open).toBe(false);

    const again = stores.open();
    expect(again.siteState.get('test.ack')).toEqual({ seq: 7 });
    expect(again.stations.get('CP1')).toBeDefined();
  });

  it('close() alone closes under the held sync, and the ack that follows it is lost (why a clean stop settles first)', async () => {
    const store = stores.open();
    const { open, acked } = await heldWriteWithAck(store);
    store.close();
    open();
    expect(await acked).toBeInstanceOf(Error);

    const again = stores.open();
    expect(again.siteState.get('test.ack')).toBeUndefined();
    expect(again.stations.get('CP1')).toBeDefined(); // the write itself was committed and synced by close()
  });
});
