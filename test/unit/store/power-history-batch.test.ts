import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FINE_RESOLUTION_S } from '../../../src/store/power-history-repo.js';
import { useTempStores } from './temp-store.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function rows(n: number): Array<{ series: string; avgW: number; maxW: number; samples: number }> {
  return Array.from({ length: n }, (_, i) => ({ series: `evse:CP${i}/1`, avgW: 1000 + i, maxW: 2000 + i, samples: 12 }));
}

/** Rows of the minute as another connection reads them: only what is committed. */
function committedMinuteRows(path: string): number {
  const other = new Database(path, { readonly: true });
  try {
    return other.prepare<[number, number], { n: number }>('SELECT COUNT(*) AS n FROM power_history WHERE resolution_s = ? AND start_ms = ?').get(FINE_RESOLUTION_S, T0)?.n ?? 0;
  } finally {
    other.close();
  }
}

describe("the power history's minute write and the group commit", () => {
  const stores = useTempStores();

  it("joins the turn's batch instead of committing on its own (no fsync of its own on the event loop)", async () => {
    const store = stores.open();
    await nextTurn();
    const commitsBefore = store.batch.commitCount;

    store.powerHistory.writeBucket(T0, rows(30));

    // In the batch, not autocommitted with synchronous=FULL: visible here, not yet to others.
    expect(store.db.inTransaction).toBe(true);
    expect(store.powerHistory.range({ resolutionS: FINE_RESOLUTION_S, fromMs: T0, toMs: T0 + 60_000, stepMs: 60_000 })).toHaveLength(30);
    expect(committedMinuteRows(stores.dbPath())).toBe(0);
    // Nobody's answer waits for it: a barrier taken now has nothing to wait for.
    expect(store.batch.pendingBarrier()).toBeUndefined();

    await nextTurn();
    expect(store.batch.commitCount).toBe(commitsBefore + 1);
    expect(store.db.inTransaction).toBe(false);
    expect(committedMinuteRows(stores.dbPath())).toBe(30);
  });

  it("shares a batch a station's message opened, and that message's barrier still covers its own write", async () => {
    const store = stores.open();
    await nextTurn();
    store.batch.begin();
    store.stations.upsertBoot({ stationId: 'CP1', version: '2.0.1', bootStatus: 'Accepted', lastBootMs: T0 });
    store.powerHistory.writeBucket(T0, rows(5));
    const barrier = store.batch.pendingBarrier();
    expect(barrier).toBeInstanceOf(Promise);
    await barrier;
    expect(committedMinuteRows(stores.dbPath())).toBe(5);
  });
});
