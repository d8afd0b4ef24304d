import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { PowerSampler, type PowerReading } from '../../../src/history/power-sampler.js';
import { HistoryService } from '../../../src/history/history-service.js';
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S, type PowerStepRow } from '../../../src/store/power-history-repo.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { useTempStores } from '../store/temp-store.js';

const MIN_MS = 60_000;
const QUARTER_MS = COARSE_RESOLUTION_S * 1000;
/** A quarter boundary. */
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** Turns handed to the sampler's writes: run one by one by the test (or never: a crash). */
class Turns {
  private readonly waiting: Array<() => void> = [];
  readonly next = (fn: () => void): void => {
    this.waiting.push(fn);
  };
  get count(): number {
    return this.waiting.length;
  }
  runOne(): void {
    this.waiting.shift()?.();
  }
  runAll(): number {
    let n = 0;
    while (this.waiting.length > 0) {
      this.runOne();
      n += 1;
    }
    return n;
  }
}

function evses(n: number, powerW: (i: number) => number): PowerReading['evses'] {
  return Array.from({ length: n }, (_, i) => ({ evseKey: `CP${i + 1}/1`, powerW: powerW(i) }));
}

function storedFine(store: Store, fromMs: number, toMs: number): PowerStepRow[] {
  return store.powerHistory.range({ resolutionS: FINE_RESOLUTION_S, fromMs, toMs, stepMs: MIN_MS });
}

/** The 15-minute rows as stored, and recomputed from the stored minutes. */
function rollUps(store: Store): { stored: PowerStepRow[]; fromMinutes: PowerStepRow[] } {
  const q = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, stepMs: QUARTER_MS };
  return {
    stored: store.powerHistory.range({ ...q, resolutionS: COARSE_RESOLUTION_S }),
    fromMinutes: store.powerHistory.range({ ...q, resolutionS: FINE_RESOLUTION_S }),
  };
}

describe("the minute's write in chunks", () => {
  const stores = useTempStores();

  it('writes a minute of many series a chunk per event-loop turn, the first chunk at once', () => {
    const clock = new FakeClock(T0);
    const store = stores.open({ clock });
    const turns = new Turns();
    const s = new PowerSampler({ clock, log: silentLogger(), sink: store.powerHistory, read: () => ({ gridW: 100, evses: evses(10, () => 7000) }), chunkRows: 4, nextTurn: turns.next });
    s.start();
    clock.advanceMs(MIN_MS); // closes the first minute: 11 series
    expect(storedFine(store, T0, T0 + MIN_MS)).toHaveLength(4);
    expect(turns.count).toBe(1);
    turns.runOne();
    expect(storedFine(store, T0, T0 + MIN_MS)).toHaveLength(8);
    expect(turns.runAll()).toBe(1);
    expect(storedFine(store, T0, T0 + MIN_MS)).toHaveLength(11);
    expect(turns.count).toBe(0);
    s.stop();
  });

  it('shows every series of a minute being written exactly once: the stored part from the database, the rest as pending', () => {
    const clock = new FakeClock(T0);
    const store = stores.open({ clock });
    const turns = new Turns();
    const s = new PowerSampler({ clock, log: silentLogger(), sink: store.powerHistory, read: () => ({ gridW: 100, evses: evses(9, (i) => 1000 * (i + 1)) }), chunkRows: 3, nextTurn: turns.next });
    const history = new HistoryService({ clock, powerHistory: store.powerHistory, sessions: store.sessions, pending: () => s.pending() });
    s.start();
    clock.advanceMs(MIN_MS);
    const read = () => {
      const w = history.historyWindow({ from: String(T0), to: String(T0 + MIN_MS), step: 60 });
      if (!w.ok) throw new Error(w.reason);
      return history.history(w);
    };
    const expected = read();
    expect(expected.evses).toHaveLength(9);
    expect(expected.evses.map((e) => e.powerW)).toEqual(Array.from({ length: 9 }, (_, i) => [1000 * (i + 1)]));
    expect(expected.site.gridW).toEqual([100]);
    const seriesOnce = () => {
      const stored = storedFine(store, T0, T0 + MIN_MS).map((r) => r.series);
      const pending = s.pending().filter((p) => p.startMs === T0).flatMap((p) => p.rows.map((r) => r.series));
      return [...stored, ...pending].sort();
    };
    const all = seriesOnce();
    expect(all).toHaveLength(10);
    expect(new Set(all).size).toBe(10);
    while (turns.count > 0) {
      turns.runOne();
      expect(read()).toEqual(expected);
      expect(seriesOnce()).toEqual(all);
    }
    expect(s.pending().filter((p) => p.startMs === T0)).toEqual([]);
    s.stop();
  });

  it('stop writes what is still queued at once, so nothing waits for a turn after the database closes', () => {
    const clock = new FakeClock(T0);
    const path = stores.dbPath();
    const store = openStore({ path, clock });
    const turns = new Turns();
    const s = new PowerSampler({ clock, log: silentLogger(), sink: store.powerHistory, read: () => ({ evses: evses(20, () => 500) }), chunkRows: 5, nextTurn: turns.next });
    s.start();
    clock.advanceMs(MIN_MS + 10_000); // minute 0 closed (5 of 20 stored), minute 1 in progress
    s.stop();
    store.close();
    turns.runAll(); // a turn after the close writes nothing (and does not throw)
    const reopened = stores.open({ clock });
    expect(storedFine(reopened, T0, T0 + MIN_MS).map((r) => r.samples)).toEqual(Array(20).fill(12));
    expect(storedFine(reopened, T0 + MIN_MS, T0 + 2 * MIN_MS).map((r) => r.samples)).toEqual(Array(20).fill(3));
  });

  it('a crash between chunks leaves every stored quarter equal to its stored minutes, and a restart merges into them', () => {
    const path = stores.dbPath();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ gapS: fc.constantFrom(5, 5, 35, 65, 300), turnsRun: fc.integer({ min: 0, max: 4 }), crash: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        (chunkRows, steps) => {
          const clock = new FakeClock(T0);
          let store = openStore({ path, clock });
          store.db.exec('DELETE FROM power_history');
          let n = 0;
          const sampled = new Map<string, number>(); // samples per "minute|series"
          const read = (): PowerReading => {
            n += 1;
            const reading = { gridW: n * 10, evses: evses(7, (i) => (n * (i + 1)) % 11_000) };
            const minute = Math.floor(clock.nowMs() / MIN_MS) * MIN_MS;
            for (const series of ['site:grid', ...reading.evses.map((e) => `evse:${e.evseKey}`)]) {
              sampled.set(`${minute}|${series}`, (sampled.get(`${minute}|${series}`) ?? 0) + 1);
            }
            return reading;
          };
          let turns = new Turns();
          let s = new PowerSampler({ clock, log: silentLogger(), sink: store.powerHistory, read, chunkRows, nextTurn: turns.next });
          try {
            for (const step of steps) {
              s.sample();
              for (let i = 0; i < step.turnsRun; i++) turns.runOne();
              if (step.crash) {
                // The process dies: its queued turns never run, the minute in progress is gone.
                store.close();
                store = openStore({ path, clock });
                turns = new Turns();
                s = new PowerSampler({ clock, log: silentLogger(), sink: store.powerHistory, read, chunkRows, nextTurn: turns.next });
              }
              clock.advanceMs(step.gapS * 1000);
            }
            s.stop();
            const { stored, fromMinutes } = rollUps(store);
            expect(stored.map((r) => [r.startMs, r.series, r.samples, r.maxW])).toEqual(fromMinutes.map((r) => [r.startMs, r.series, r.samples, r.maxW]));
            stored.forEach((r, i) => expect(r.avgW).toBeCloseTo(fromMinutes[i]!.avgW, 6));
            // Never more than was sampled (a lost chunk loses samples, nothing is counted twice).
            for (const r of storedFine(store, 0, Number.MAX_SAFE_INTEGER)) {
              expect(r.samples).toBeLessThanOrEqual(sampled.get(`${r.startMs}|${r.series}`) ?? 0);
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
