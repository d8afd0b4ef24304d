import { walkBreakpoints } from './breakpoint-walk.js';
import { type ActiveEntry, type Winners, pickWinners } from './resolve.js';
import type { CompositeRequest } from './types.js';

/**
 * The profile half of a composite, precomputed: over [fromMs, toMs), the instants at which the
 * winning profiles (the charging one and the caps, see resolve.ts) change, and who wins from
 * there on. It depends only on the profiles, the EVSE, the transaction and the priority-charging
 * flag (and on nowMs when a profile is anchored at "now"), never on the EVSE's rating, the unit
 * asked for or the local limits: those are applied per request (composite-engine.ts).
 *
 * Neighbouring spans with the same winners in the same periods are merged, so a change in a
 * profile that wins nowhere costs nothing later.
 */
export interface WinnerSpan {
  startMs: number;
  winners: Winners;
}

export interface WinnerTimeline {
  fromMs: number;
  toMs: number;
  /** Sorted by startMs; the first starts at fromMs; never empty. */
  spans: WinnerSpan[];
}

function sameEntry(a: ActiveEntry | undefined, b: ActiveEntry | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.profile === b.profile && a.period === b.period);
}

function sameWinners(a: Winners, b: Winners): boolean {
  if (!sameEntry(a.charging, b.charging) || a.caps.length !== b.caps.length) return false;
  for (let i = 0; i < a.caps.length; i++) if (!sameEntry(a.caps[i], b.caps[i])) return false;
  return true;
}

function frozen(entry: ActiveEntry): ActiveEntry {
  return { profile: entry.profile, period: entry.period };
}

/** The winner timeline of a request's profiles over [fromMs, toMs) (fromMs < toMs). */
export function winnerTimeline(req: CompositeRequest, fromMs: number, toMs: number): WinnerTimeline {
  const spans: WinnerSpan[] = [];
  const scratch = new Array<ActiveEntry | undefined>(8);
  let last: Winners | undefined;
  walkBreakpoints(req, fromMs, toMs, [], (t, entries) => {
    const winners = pickWinners(entries, scratch);
    if (last && sameWinners(last, winners)) return;
    // the walk's entries are reused at the next instant: keep copies
    last = { charging: winners.charging && frozen(winners.charging), caps: winners.caps.map(frozen) };
    spans.push({ startMs: t, winners: last });
  });
  return { fromMs, toMs, spans };
}

/** Does a relevant profile's anchor move with nowMs (Relative, or Absolute without a start, with no transaction)? */
export function anchoredAtNow(req: CompositeRequest): boolean {
  if (req.transaction) return false;
  for (const p of req.profiles) {
    if (p.kind === 'Relative' || (p.kind === 'Absolute' && p.schedules[0]?.startScheduleMs === undefined)) return true;
  }
  return false;
}
