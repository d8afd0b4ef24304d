/**
 * What a history or sessions request asks for, checked: pure functions from the query and the
 * time now to a window (and for history a step and the bucket resolution to read), or a reason.
 */
import { COARSE_RESOLUTION_S, FINE_RESOLUTION_S } from '../store/power-history-repo.js';

export const HISTORY_RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 24 * 3600, '7d': 7 * 86400 } as const;
export type HistoryRangeName = keyof typeof HISTORY_RANGES;

/** Longest window of one history request, s. */
export const MAX_HISTORY_SPAN_S = 31 * 86400;
/** Most steps in one history answer. */
export const MAX_HISTORY_POINTS = 2000;
/** Points a default step aims at (at most). */
const TARGET_POINTS = 720;
const NICE_STEPS_S = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface RangeProblem {
  ok: false;
  /** Query field at fault (e.g. `querystring.step`). */
  field: string;
  reason: string;
}

export interface TimeWindow {
  ok: true;
  fromMs: number;
  toMs: number;
}

export interface HistoryWindow extends TimeWindow {
  stepS: number;
  /** Bucket resolution read: 60 (1-minute buckets) or 900 (15-minute buckets). */
  resolutionS: number;
  /** Only the site's series, not the EVSEs'. */
  siteOnly: boolean;
}

export interface HistoryQuery {
  range?: string;
  from?: string;
  to?: string;
  step?: number;
  /** `site`: only the site's series; `all` (default): the EVSEs' too. */
  series?: string;
}

/** A time in a query: ms since the epoch, or an ISO 8601 date-time. */
export function parseTime(text: string): number | undefined {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A [from, to) window from `from`/`to` (to defaults to now, from to `defaultSpanS` before to). */
export function timeWindow(q: { from?: string; to?: string }, nowMs: number, defaultSpanS: number, maxSpanS: number): TimeWindow | RangeProblem {
  const toMs = q.to === undefined ? nowMs : parseTime(q.to);
  if (toMs === undefined) return problem('to', `not a time: ${JSON.stringify(q.to)}; expected ISO 8601 (2026-12-06T08:00:00Z) or ms since the epoch`);
  const fromMs = q.from === undefined ? toMs - defaultSpanS * 1000 : parseTime(q.from);
  if (fromMs === undefined) return problem('from', `not a time: ${JSON.stringify(q.from)}; expected ISO 8601 (2026-12-06T08:00:00Z) or ms since the epoch`);
  if (fromMs >= toMs) return problem('from', 'from must be before to');
  if (toMs - fromMs > maxSpanS * 1000) return problem('from', `the window is longer than ${spanText(maxSpanS)}`);
  return { ok: true, fromMs, toMs };
}

/**
 * The window, step and resolution of a history request. `range` counts back from now; `from`/`to`
 * name the window. A window that begins before the 1-minute buckets' retention (`fineKeptMs`
 * back from now) is read from the 15-minute buckets, so its step must be a multiple of 900 s.
 */
export function historyWindow(q: HistoryQuery, nowMs: number, fineKeptMs: number): HistoryWindow | RangeProblem {
  if (q.range !== undefined && (q.from !== undefined || q.to !== undefined)) {
    return problem('range', 'give either range or from (and to), not both');
  }
  let window: TimeWindow | RangeProblem;
  if (q.range !== undefined) {
    const spanS = (HISTORY_RANGES as Record<string, number>)[q.range];
    if (spanS === undefined) return problem('range', `unknown range ${JSON.stringify(q.range)}; expected one of ${Object.keys(HISTORY_RANGES).join(', ')}`);
    window = { ok: true, fromMs: nowMs - spanS * 1000, toMs: nowMs };
  } else {
    window = timeWindow(q, nowMs, HISTORY_RANGES['24h'], MAX_HISTORY_SPAN_S);
  }
  if (!window.ok) return window;
  const resolutionS = window.fromMs >= nowMs - fineKeptMs ? FINE_RESOLUTION_S : COARSE_RESOLUTION_S;
  const spanS = (window.toMs - window.fromMs) / 1000;
  let stepS = q.step;
  if (stepS === undefined) {
    stepS = NICE_STEPS_S.find((s) => s % resolutionS === 0 && spanS / s <= TARGET_POINTS) ?? 86400;
  } else if (!Number.isInteger(stepS) || stepS % resolutionS !== 0) {
    const why = resolutionS === FINE_RESOLUTION_S ? 'history is kept in 1-minute buckets' : 'history older than the 1-minute buckets is kept in 15-minute buckets';
    return problem('step', `step must be a multiple of ${resolutionS} s: ${why}`);
  } else if (spanS / stepS > MAX_HISTORY_POINTS) {
    return problem('step', `${Math.ceil(spanS / stepS)} steps; at most ${MAX_HISTORY_POINTS}: use a larger step`);
  }
  return { ...window, stepS, resolutionS, siteOnly: q.series === 'site' };
}

function problem(field: string, reason: string): RangeProblem {
  return { ok: false, field: `querystring.${field}`, reason };
}

function spanText(s: number): string {
  return s % 86400 === 0 ? `${s / 86400} days` : `${s} s`;
}
