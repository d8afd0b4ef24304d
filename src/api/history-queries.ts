import type { HistoryQuery, RangeProblem, HistoryWindow, TimeWindow } from '../history/history-range.js';
import type { CompletedSession } from '../store/session-repo.js';

export type { HistoryQuery, RangeProblem, HistoryWindow, TimeWindow, CompletedSession };

/** Power over a window: one entry per step that has data, the series aligned with `t`. W, null where a series has no sample. */
export interface PowerHistory {
  fromMs: number;
  toMs: number;
  stepS: number;
  /** Buckets read: 60 (1-minute) or 900 (15-minute). */
  resolutionS: number;
  /** Start of each step, ms since the epoch. */
  t: number[];
  /** Mean per step, W: grid import positive, PV production positive, EV total, the site limit. */
  site: { gridW: Array<number | null>; pvW: Array<number | null>; evW: Array<number | null>; limitW: Array<number | null> };
  /** Per EVSE: mean and highest sampled power per step, W. */
  evses: Array<{ evseKey: string; powerW: Array<number | null>; maxW: Array<number | null> }>;
}

/** What the history routes read from the hub. */
export interface HistoryQueries {
  /** The window a query names, checked (the routes answer a problem with 400 INVALID_RANGE). */
  historyWindow(q: HistoryQuery): HistoryWindow | RangeProblem;
  sessionsWindow(q: { from?: string; to?: string }): TimeWindow | RangeProblem;
  history(w: HistoryWindow): PowerHistory;
  sessions(w: TimeWindow, limit: number): CompletedSession[];
}
