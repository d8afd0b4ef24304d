import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { HistoryService } from '../../../src/history/history-service.js';
import type { PowerBucketRow, PowerStepRow } from '../../../src/store/power-history-repo.js';
import type { CompletedSession } from '../../../src/store/session-repo.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const MIN = 60_000;

function service(stored: PowerStepRow[], sessions: CompletedSession[], pending?: { startMs: number; rows: PowerBucketRow[] }) {
  const clock = new FakeClock(T0 + 10 * MIN + 30_000);
  return new HistoryService({
    clock,
    powerHistory: { range: (q) => stored.filter((r) => !q.siteOnly || r.series.startsWith('site:')).map((r) => ({ ...r })) },
    sessions: { completed: () => sessions },
    ...(pending ? { pending: () => [pending] } : {}),
  });
}

const session = (over: Partial<CompletedSession> = {}): CompletedSession => ({ stationId: 'CP1', evseId: 1, transactionId: '7', startedMs: T0 + 2 * MIN, endedMs: T0 + 10 * MIN + 20_000, ...over });

describe('the history service', () => {
  it('adds the minute in progress to the history, merged into its step by sample count', () => {
    const s = service(
      [{ series: 'site:grid', startMs: T0 + 10 * MIN - 10 * MIN, avgW: 1000, maxW: 1000, samples: 108 }],
      [],
      { startMs: T0 + 10 * MIN, rows: [{ series: 'site:grid', avgW: 2000, maxW: 2500, samples: 12 }, { series: 'evse:CP1/1', avgW: 500, maxW: 700, samples: 12 }] },
    );
    const w = s.historyWindow({ from: String(T0), step: 900 });
    if (!w.ok) throw new Error(w.reason);
    const h = s.history(w);
    expect(h.t).toEqual([T0]);
    expect(h.site.gridW).toEqual([1100]);
    expect(h.site.pvW).toEqual([null]);
    expect(h.evses).toEqual([{ evseKey: 'CP1/1', powerW: [500], maxW: [700] }]);
  });

  it('gives a session that ended within the minute in progress its peak from that minute', () => {
    const pending = { startMs: T0 + 10 * MIN, rows: [{ series: 'evse:CP1/1', avgW: 5000, maxW: 11_000, samples: 4 }] };
    const s = service([], [session({ maxPowerW: 7000 }), session({ evseId: 2 }), session({ transactionId: '6', endedMs: T0 + 5 * MIN })], pending);
    const w = s.sessionsWindow({});
    if (!w.ok) throw new Error(w.reason);
    expect(s.sessions(w, 10).map((x) => x.maxPowerW)).toEqual([11_000, undefined, undefined]);
  });
});
