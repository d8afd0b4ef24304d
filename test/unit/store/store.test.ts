import { describe, it, expect } from 'vitest';
import { openStore } from '../../../src/store/store.js';
import { useTempStores } from './temp-store.js';

describe('openStore', () => {
  const stores = useTempStores();

  it('close is idempotent', () => {
    const store = openStore({ path: stores.dbPath() });
    store.close();
    expect(() => store.close()).not.toThrow();
    expect(store.db.open).toBe(false);
  });

  it('two stores on one file see each other’s writes', () => {
    const writer = stores.open();
    const reader = stores.open();
    writer.outbox.append('site', 'Heartbeat', {}, { kind: 'other' });
    expect(reader.outbox.count()).toBe(1);
  });
});
