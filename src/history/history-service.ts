import type { Clock } from '../util/clock.js';
import type { PowerBucketRow, PowerHistoryRepo, PowerStepRow } from '../store/power-history-repo.js';
import type { CompletedSession, SessionRepo } from '../store/session-repo.js';
import { FINE_RESOLUTION_S } from '../store/power-history-repo.js';
import { DEFAULT_POWER_HISTORY_DAYS, FINE_POWER_HISTORY_DAYS } from '../store/retention-policy.js';
import type { HistoryQueries, PowerHistory } from '../api/history-queries.js';
import { historyWindow, timeWindow, type HistoryWindow, type TimeWindow } from './history-range.js';
import { EVSE_SERIES_PREFIX, SITE_SERIES } from './power-sampler.js';

const DAY_MS = 86_400_000;
/** Default window of the sessions list, and its longest. */
const SESSIONS_DEFAULT_S = 7 * 86400;
const SESSIONS_MAX_S = 366 * 86400;

export interface HistoryServiceDeps {
  clock: Clock;
  powerHistory: Pick<PowerHistoryRepo, 'range'>;
  sessions: Pick<SessionRepo, 'completed'>;
  /** What is not stored yet (the minute in progress, the rest of one being written), shown as well. */
  pending?: () => ReadonlyArray<{ startMs: number; rows: readonly PowerBucketRow[] }>;
  /** data.retention.powerHistoryDays. */
  powerHistoryDays?: number;
}

/** The history read model behind /api/history and /api/sessions. */
export class HistoryService implements HistoryQueries {
  private readonly fineKeptMs: number;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.fineKeptMs = Math.min(deps.powerHistoryDays ?? DEFAULT_POWER_HISTORY_DAYS, FINE_POWER_HISTORY_DAYS) * DAY_MS;
  }

  historyWindow(q: Parameters<HistoryQueries['historyWindow']>[0]): ReturnType<HistoryQueries['historyWindow']> {
    return historyWindow(q, this.deps.clock.nowMs(), this.fineKeptMs);
  }

  sessionsWindow(q: { from?: string; to?: string }): ReturnType<HistoryQueries['sessionsWindow']> {
    return timeWindow(q, this.deps.clock.nowMs(), SESSIONS_DEFAULT_S, SESSIONS_MAX_S);
  }

  history(w: HistoryWindow): PowerHistory {
    const stepMs = w.stepS * 1000;
    const rows = this.deps.powerHistory.range({ resolutionS: w.resolutionS, fromMs: w.fromMs, toMs: w.toMs, stepMs, siteOnly: w.siteOnly });
    for (const pending of this.deps.pending?.() ?? []) {
      if (pending.startMs < w.fromMs || pending.startMs >= w.toMs) continue;
      const mine = w.siteOnly ? pending.rows.filter((r) => !r.series.startsWith(EVSE_SERIES_PREFIX)) : pending.rows;
      for (const r of mine) rows.push({ ...r, startMs: Math.floor(pending.startMs / stepMs) * stepMs });
    }
    return assemble(w, rows);
  }

  sessions(w: TimeWindow, limit: number): CompletedSession[] {
    const sessions = this.deps.sessions.completed({ fromMs: w.fromMs, toMs: w.toMs, limit });
    // A session that ended within a minute not stored yet: its peak may be in that minute only.
    const pendings = this.deps.pending?.() ?? [];
    if (pendings.length === 0) return sessions;
    return sessions.map((s) => {
      let maxPowerW = s.maxPowerW;
      for (const pending of pendings) {
        if (s.endedMs <= pending.startMs || s.startedMs >= pending.startMs + FINE_RESOLUTION_S * 1000) continue;
        const row = pending.rows.find((r) => r.series === `${EVSE_SERIES_PREFIX}${s.stationId}/${s.evseId}`);
        if (row) maxPowerW = Math.max(maxPowerW ?? -Infinity, row.maxW);
      }
      return maxPowerW === s.maxPowerW ? s : { ...s, maxPowerW };
    });
  }
}

/** Rows (series x step, possibly two for one step: stored and pending) to aligned columns. */
export function assemble(w: HistoryWindow, rows: readonly PowerStepRow[]): PowerHistory {
  const merged = new Map<number, Map<string, PowerBucketRow>>();
  for (const r of rows) {
    let step = merged.get(r.startMs);
    if (!step) merged.set(r.startMs, (step = new Map()));
    const had = step.get(r.series);
    step.set(
      r.series,
      had
        ? { series: r.series, avgW: (had.avgW * had.samples + r.avgW * r.samples) / (had.samples + r.samples), maxW: Math.max(had.maxW, r.maxW), samples: had.samples + r.samples }
        : r,
    );
  }
  const t = [...merged.keys()].sort((a, b) => a - b);
  const column = (series: string, pick: 'avgW' | 'maxW') => t.map((ms) => {
    const v = merged.get(ms)?.get(series)?.[pick];
    return v === undefined ? null : Math.round(v);
  });
  const evseKeys = new Set<string>();
  for (const step of merged.values()) for (const s of step.keys()) if (s.startsWith(EVSE_SERIES_PREFIX)) evseKeys.add(s.slice(EVSE_SERIES_PREFIX.length));
  return {
    fromMs: w.fromMs,
    toMs: w.toMs,
    stepS: w.stepS,
    resolutionS: w.resolutionS,
    t,
    site: {
      gridW: column(SITE_SERIES.gridW, 'avgW'),
      pvW: column(SITE_SERIES.pvW, 'avgW'),
      evW: column(SITE_SERIES.evW, 'avgW'),
      limitW: column(SITE_SERIES.limitW, 'avgW'),
    },
    evses: [...evseKeys].sort().map((evseKey) => ({
      evseKey,
      powerW: column(EVSE_SERIES_PREFIX + evseKey, 'avgW'),
      maxW: column(EVSE_SERIES_PREFIX + evseKey, 'maxW'),
    })),
  };
}
