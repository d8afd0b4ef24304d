import { describe, it, expect } from 'vitest';

/** The page's history module is plain browser JavaScript; its pure parts run here as they are. */
interface Point {
  t: number;
  grid?: number;
  gapBefore?: boolean;
  live?: boolean;
  n?: number;
}
interface HistoryModule {
  markGaps(points: Point[], stepMs: number): Point[];
  segmentsAtGaps(points: Point[]): Point[][];
  addLivePoint(points: Point[], p: Point): void;
  chartSpanS(): number;
}
const MODULE = '../../../src/api/dashboard/assets/history.js';
const load = async () => (await import(MODULE)) as HistoryModule;

describe('the dashboard history module', () => {
  it('breaks the chart line where the history has a gap (the hub was off)', async () => {
    const m = await load();
    const points = m.markGaps([{ t: 0 }, { t: 60_000 }, { t: 120_000 }, { t: 900_000 }, { t: 960_000 }], 60_000);
    expect(points.map((p) => p.gapBefore ?? false)).toEqual([false, false, false, true, false]);
    expect(m.segmentsAtGaps(points).map((s) => s.map((p) => p.t))).toEqual([[0, 60_000, 120_000], [900_000, 960_000]]);
    const whole = [{ t: 0 }, { t: 1000 }];
    expect(m.segmentsAtGaps(whole)[0]).toBe(whole);
  });

  it('merges live points into slots of the range and drops what is older than the range', async () => {
    const m = await load();
    expect(m.chartSpanS()).toBe(3600);
    const points: Point[] = [{ t: 0, grid: 100 }];
    // 1 h range: slots of 2 s.
    m.addLivePoint(points, { t: 3_600_000, grid: 1000 });
    m.addLivePoint(points, { t: 3_601_000, grid: 3000 });
    m.addLivePoint(points, { t: 3_602_000, grid: 5000 });
    expect(points.map((p) => [p.t, p.grid])).toEqual([[3_601_000, 2000], [3_602_000, 5000]]);
  });
});
