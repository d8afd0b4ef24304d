import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S, type PowerBucketRow, type PowerStepRow } from '../../../src/store/power-history-repo.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { useTempStores } from './temp-store.js';

const MINUTE_MS = FINE_RESOLUTION_S * 1000;
const QUARTER_MS = COARSE_RESOLUTION_S * 1000;
/** A quarter boundary. */
const BASE_MS = Date.UTC(2026, 5, 1, 12, 0, 0);
const SERIES = ['site:grid', 'site:ev', 'evse:CP1/1', 'evse:CP2/1'];

const row = fc
  .record({
    series: fc.constantFrom(...SERIES),
    avgW: fc.double({ min: -50_000, max: 300_000, noNaN: true }),
    aboveW: fc.double({ min: 0, max: 20_000, noNaN: true }),
    samples: fc.integer({ min: 0, max: 12 }),
  })
  .map(({ series, avgW, aboveW, samples }): PowerBucketRow => ({ series, avgW, maxW: avgW + aboveW, samples }));

/** A minute's write (one of 45 minutes: three quarters), and whether the hub restarts after it. */
const write = fc.record({
  minute: fc.integer({ min: 0, max: 44 }),
  rows: fc.uniqueArray(row, { selector: (r) => r.series, minLength: 1, maxLength: SERIES.length }),
  restartAfter: fc.boolean(),
});

/** The 15-minute roll-up recomputed from every stored 1-minute row (what the roll-up must equal). */
function recomputed(store: Store): PowerStepRow[] {
  return store.db
    .prepare(
      `SELECT series, start_ms - start_ms % ${QUARTER_MS} AS startMs, SUM(avg_w * samples) / SUM(samples) AS avgW,
              MAX(max_w) AS maxW, SUM(samples) AS samples
       FROM power_history WHERE resolution_s = ${FINE_RESOLUTION_S}
       GROUP BY startMs, series ORDER BY startMs, series`,
    )
    .all() as PowerStepRow[];
}

function stored(store: Store): PowerStepRow[] {
  return store.db
    .prepare(
      `SELECT series, start_ms AS startMs, avg_w AS avgW, max_w AS maxW, samples
       FROM power_history WHERE resolution_s = ${COARSE_RESOLUTION_S} ORDER BY startMs, series`,
    )
    .all() as PowerStepRow[];
}

function expectSameRollUp(actual: readonly PowerStepRow[], expected: readonly PowerStepRow[]): void {
  expect(actual.map((r) => [r.startMs, r.series, r.samples, r.maxW])).toEqual(expected.map((r) => [r.startMs, r.series, r.samples, r.maxW]));
  actual.forEach((r, i) => {
    // Floating point: a running weighted mean and a recomputed one may differ in the last bits.
    expect(Math.abs(r.avgW - expected[i]!.avgW)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected[i]!.avgW)));
  });
}

describe('the 15-minute roll-up of the power history', () => {
  const stores = useTempStores();

  it('merged minute by minute equals the roll-up recomputed from the stored minutes, across restarts', () => {
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 40 }), (writes) => {
        const clock = new FakeClock(BASE_MS);
        const path = stores.dbPath();
        let store = openStore({ path, clock });
        try {
          store.db.exec('DELETE FROM power_history');
          for (const w of writes) {
            store.powerHistory.writeBucket(BASE_MS + w.minute * MINUTE_MS, w.rows);
            if (w.restartAfter) {
              store.close();
              store = openStore({ path, clock });
            }
          }
          const expected = recomputed(store);
          expectSameRollUp(stored(store), expected);
          // What /api/history reads: 15-minute steps from the roll-ups equal them from the minutes.
          const q = { fromMs: BASE_MS, toMs: BASE_MS + 3 * QUARTER_MS, stepMs: QUARTER_MS };
          expectSameRollUp(store.powerHistory.range({ ...q, resolutionS: COARSE_RESOLUTION_S }), store.powerHistory.range({ ...q, resolutionS: FINE_RESOLUTION_S }));
          // No row without samples, in either resolution.
          expect(store.db.prepare('SELECT COUNT(*) AS n FROM power_history WHERE samples <= 0').get()).toEqual({ n: 0 });
        } finally {
          store.close();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a restart within a minute merges into that minute and its quarter', () => {
    const store = stores.open({ clock: new FakeClock(BASE_MS) });
    const minuteMs = BASE_MS + 7 * MINUTE_MS;
    store.powerHistory.writeBucket(BASE_MS, [{ series: 'evse:CP1/1', avgW: 1000, maxW: 1000, samples: 12 }]);
    store.powerHistory.writeBucket(minuteMs, [{ series: 'evse:CP1/1', avgW: 4000, maxW: 5000, samples: 4 }]);
    store.powerHistory.writeBucket(minuteMs, [{ series: 'evse:CP1/1', avgW: 6000, maxW: 6500, samples: 8 }]);
    expect(stored(store)).toEqual([{ series: 'evse:CP1/1', startMs: BASE_MS, avgW: (12 * 1000 + 4 * 4000 + 8 * 6000) / 24, maxW: 6500, samples: 24 }]);
  });
});
