import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { RetentionJob } from '../../../src/store/retention-job.js';
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S } from '../../../src/store/power-history-repo.js';
import type { Store } from '../../../src/store/store.js';
import { parseSiteConfig } from '../../../src/config/load.js';
import { useTempStores } from './temp-store.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

function count(store: Store, resolutionS: number): number {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM power_history WHERE resolution_s = ?').get(resolutionS) as { n: number }).n;
}

/** One minute bucket per hour for `days` days back from NOW, each rolled up. */
function fill(store: Store, days: number): void {
  for (let t = NOW - days * DAY_MS; t < NOW; t += HOUR_MS) {
    store.powerHistory.writeBucket(t, [{ series: 'site:grid', avgW: 1000, maxW: 1500, samples: 12 }, { series: 'evse:CP1/1', avgW: 7000, maxW: 7400, samples: 12 }]);
  }
}

function job(store: Store, clock: FakeClock, powerHistoryDays: number | undefined, batchRows = 7): RetentionJob {
  return new RetentionJob({
    db: store.db,
    clock,
    log: silentLogger(),
    policy: { messageLogDays: 30, meterSamplesDays: 30, transactionEventsDays: 90, transactionsDays: null, ...(powerHistoryDays !== undefined ? { powerHistoryDays } : {}) },
    intervalMs: HOUR_MS,
    batchRows,
    yieldToEventLoop: () => Promise.resolve(),
  });
}

describe('retention of the power history', () => {
  const stores = useTempStores();

  it('keeps minute buckets 2 days and 15-minute buckets powerHistoryDays, deleting in batches', async () => {
    const clock = new FakeClock(NOW);
    const store = stores.open({ clock });
    fill(store, 12);
    expect(count(store, FINE_RESOLUTION_S)).toBe(12 * 24 * 2);
    const result = await job(store, clock, 10).runOnce();
    expect(count(store, FINE_RESOLUTION_S)).toBe(2 * 24 * 2);
    expect(count(store, COARSE_RESOLUTION_S)).toBe(10 * 24 * 2);
    expect(result.powerHistory).toBe(10 * 24 * 2 + 2 * 24 * 2);
    const oldest = store.db.prepare('SELECT resolution_s AS r, MIN(start_ms) AS t FROM power_history GROUP BY resolution_s ORDER BY r').all();
    expect(oldest).toEqual([{ r: FINE_RESOLUTION_S, t: NOW - 2 * DAY_MS }, { r: COARSE_RESOLUTION_S, t: NOW - 10 * DAY_MS }]);
  });

  it('keeps 30 days by default, and a shorter retention shortens the minute buckets too', async () => {
    const clock = new FakeClock(NOW);
    const store = stores.open({ clock });
    fill(store, 40);
    await job(store, clock, undefined).runOnce();
    expect(count(store, COARSE_RESOLUTION_S)).toBe(30 * 24 * 2);
    await job(store, clock, 1).runOnce();
    expect(count(store, FINE_RESOLUTION_S)).toBe(24 * 2);
    expect(count(store, COARSE_RESOLUTION_S)).toBe(24 * 2);
  });

  it('is a retention setting with a default of 30 days, checked like the others', () => {
    expect(parseSiteConfig('site: { name: x }\n', 'site.yaml').data.retention.powerHistoryDays).toBe(30);
    expect(parseSiteConfig('data: { retention: { powerHistoryDays: 400 } }\n', 'site.yaml').data.retention.powerHistoryDays).toBe(400);
    expect(() => parseSiteConfig('data: { retention: { powerHistoryDays: 0 } }\n', 'site.yaml')).toThrow(/data\.retention\.powerHistoryDays/);
  });
});
