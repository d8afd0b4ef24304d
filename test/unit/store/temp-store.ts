import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { openStore, type Store } from '../../../src/store/store.js';

/**
 * A fresh temporary directory per test, removed afterwards with every store opened in it.
 * Call at the top of a describe block.
 */
export function useTempStores(): {
  dbPath(): string;
  open(options?: { clock?: FakeClock; lastSeenResolutionMs?: number }): Store;
} {
  let dir: string | undefined;
  const opened: Store[] = [];

  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const dbPath = (): string => {
    dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-store-'));
    return path.join(dir, 'hub.db');
  };

  return {
    dbPath,
    open(options = {}) {
      const store = openStore({
        path: dbPath(),
        clock: options.clock ?? new FakeClock(),
        lastSeenResolutionMs: options.lastSeenResolutionMs,
      });
      opened.push(store);
      return store;
    },
  };
}
