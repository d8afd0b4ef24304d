import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { PowerSampler, type PowerReading } from '../../../src/history/power-sampler.js';
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S } from '../../../src/store/power-history-repo.js';
import type { Store } from '../../../src/store/store.js';
import { useTempStores } from '../store/temp-store.js';

const MIN_MS = 60_000;
/** A minute boundary. */
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

function sampler(store: Store, clock: FakeClock, read: () => PowerReading, sampleIntervalMs = 5000): PowerSampler {
  return new PowerSampler({ clock, log: silentLogger(), sink: store.powerHistory, read, sampleIntervalMs });
}

function rowsAt(store: Store, resolutionS: number, fromMs: number, toMs: number) {
  return store.powerHistory.range({ resolutionS, fromMs, toMs, stepMs: resolutionS * 1000 });
}

describe('the power sampler', () => {
  const stores = useTempStores();

  it('writes each series once per minute, with the mean and the largest of its samples', () => {
    const clock = new FakeClock(T0);
    const store = stores.open({ clock });
    let n = 0;
    const s = sampler(store, clock, () => {
      n += 1;
      return { gridW: 1000 * n, evW: 500, evses: [{ evseKey: 'CP1/1', powerW: n % 2 === 0 ? 7000 : 0 }, { evseKey: 'CP2/1' }] };
    });
    s.start();
    clock.advanceMs(MIN_MS - 1);
    expect(rowsAt(store, FINE_RESOLUTION_S, T0, T0 + MIN_MS)).toEqual([]);
    clock.advanceMs(1); // the first sample of the next minute closes the first
    const rows = rowsAt(store, FINE_RESOLUTION_S, T0, T0 + MIN_MS);
    // 12 samples at 0, 5, ..., 55 s: grid 1..12 kW.
    expect(rows).toEqual([
      { series: 'evse:CP1/1', startMs: T0, avgW: 3500, maxW: 7000, samples: 12 },
      { series: 'site:ev', startMs: T0, avgW: 500, maxW: 500, samples: 12 },
      { series: 'site:grid', startMs: T0, avgW: 6500, maxW: 12000, samples: 12 },
    ]);
    s.stop();
  });

  it('shows the minute in progress before it is written', () => {
    const clock = new FakeClock(T0 + 10_000);
    const store = stores.open({ clock });
    const s = sampler(store, clock, () => ({ gridW: 2000, evses: [] }));
    s.start();
    clock.advanceMs(20_000);
    expect(s.pending()).toEqual([{ startMs: T0, rows: [{ series: 'site:grid', avgW: 2000, maxW: 2000, samples: 5 }] }]);
    expect(rowsAt(store, FINE_RESOLUTION_S, T0, T0 + MIN_MS)).toEqual([]);
    s.stop();
  });

  it('writes the minute in progress on stop, and a restart within that minute adds to it', () => {
    const clock = new FakeClock(T0);
    const first = stores.open({ clock });
    const a = sampler(first, clock, () => ({ gridW: 1000, evses: [] }));
    a.start();
    clock.advanceMs(14_000); // samples at 0, 5, 10 s
    a.stop();
    first.close();

    const second = stores.open({ clock });
    const b = sampler(second, clock, () => ({ gridW: 4000, evses: [] }));
    clock.advanceMs(1000);
    b.start(); // samples at 15, 20, ..., 55 s: 9 of them
    clock.advanceMs(MIN_MS - 15_000);
    expect(rowsAt(second, FINE_RESOLUTION_S, T0, T0 + MIN_MS)).toEqual([
      { series: 'site:grid', startMs: T0, avgW: (3 * 1000 + 9 * 4000) / 12, maxW: 4000, samples: 12 },
    ]);
    b.stop();
  });

  it('reads the site once per sample period, however long it runs', () => {
    const clock = new FakeClock(T0);
    const store = stores.open({ clock });
    let reads = 0;
    const s = sampler(store, clock, () => {
      reads += 1;
      return { evW: 0, evses: [] };
    }, 10_000);
    s.start();
    clock.advanceMs(60 * MIN_MS);
    expect(reads).toBe(361); // at 0 s and every 10 s for an hour
    s.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failing read loses that sample only', () => {
    const clock = new FakeClock(T0);
    const store = stores.open({ clock });
    let n = 0;
    const s = sampler(store, clock, () => {
      n += 1;
      if (n === 2) throw new Error('meter gone');
      return { gridW: 100, evses: [] };
    });
    s.start();
    clock.advanceMs(MIN_MS);
    expect(rowsAt(store, FINE_RESOLUTION_S, T0, T0 + MIN_MS)[0]?.samples).toBe(11);
    s.stop();
  });

  it('keeps the 15-minute roll-up equal to its minutes: weighted mean and maximum, after any sequence of samples and restarts', () => {
    const store = stores.open();
    fc.assert(
      fc.property(
        fc.array(fc.record({ w: fc.integer({ min: -20_000, max: 50_000 }), gapS: fc.constantFrom(5, 5, 5, 35, 65, 300), restart: fc.boolean() }), { minLength: 1, maxLength: 80 }),
        (steps) => {
          store.db.exec('DELETE FROM power_history');
          const clock = new FakeClock(T0);
          let next = 0;
          let s = sampler(store, clock, () => ({ gridW: next, evses: [] }));
          const samples: Array<{ t: number; w: number }> = [];
          for (const step of steps) {
            next = step.w;
            samples.push({ t: clock.nowMs(), w: step.w });
            s.sample();
            if (step.restart) {
              s.stop();
              s = sampler(store, clock, () => ({ gridW: next, evses: [] }));
            }
            clock.advanceMs(step.gapS * 1000);
          }
          s.stop();
          const endMs = clock.nowMs() + COARSE_RESOLUTION_S * 1000;
          const coarse = rowsAt(store, COARSE_RESOLUTION_S, T0, endMs);
          const fine = store.powerHistory.range({ resolutionS: FINE_RESOLUTION_S, fromMs: T0, toMs: endMs, stepMs: COARSE_RESOLUTION_S * 1000 });
          expect(coarse.length).toBe(fine.length);
          for (const [i, c] of coarse.entries()) {
            const f = fine[i];
            expect(c.startMs).toBe(f?.startMs);
            expect(c.samples).toBe(f?.samples);
            expect(c.maxW).toBe(f?.maxW);
            expect(c.avgW).toBeCloseTo(f?.avgW ?? NaN, 6);
            // ...and both equal what was sampled in that window.
            const inWindow = samples.filter((x) => x.t >= c.startMs && x.t < c.startMs + COARSE_RESOLUTION_S * 1000);
            expect(c.samples).toBe(inWindow.length);
            expect(c.maxW).toBe(Math.max(...inWindow.map((x) => x.w)));
            expect(c.avgW).toBeCloseTo(inWindow.reduce((a, x) => a + x.w, 0) / inWindow.length, 6);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
