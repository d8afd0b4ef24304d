import type { ChargingProfile } from '../charging-profile.js';
import { computeComposite, samePeriod } from './compose.js';
import { resolveWinnersAt, localLimitInForce } from './resolve.js';
import type { CompositePeriod, CompositeRequest, CompositeSchedule, TimedLimit } from './types.js';
import { type WinnerSpan, type WinnerTimeline, anchoredAtNow, winnerTimeline } from './winner-timeline.js';

/**
 * Composite schedules with a cache per profile set: the same answers as computeComposite
 * (compose.ts, the straightforward reference), faster when the same profiles are asked about again.
 *
 * What is cached is the profile half (winner-timeline.ts): for one profile set (the identity of
 * the `profiles` array), EVSE, transaction and priority flag, the instants where the winning
 * profiles change. It is built over twice the horizon asked for, so later requests whose horizon
 * still fits (a controller asking again a little later) reuse it; per request only the spans in
 * the horizon are resolved against the rating, the unit and the local limits.
 *
 * Contract: a profile set is immutable. A changed set is a new array (the store and the hub's
 * profile cache hand out a new array when a profile is installed or cleared); the cache holds
 * its arrays weakly, so dropped sets are collected. The engine does no I/O and keeps no state
 * besides this cache: its answers depend only on the request.
 */

/** Timelines kept per profile set (one per EVSE and transaction in practice). */
const MAX_TIMELINES_PER_SET = 16;

interface CachedTimeline {
  evseId: number;
  transactionId: string | undefined;
  transactionStartedMs: number | undefined;
  priorityCharging: boolean;
  /** nowMs when an anchor moves with it; otherwise NaN (any nowMs). */
  anchorNowMs: number;
  timeline: WinnerTimeline;
}

/** Index of the last span starting at or before tMs (spans[0] starts at or before it). */
function spanIndexAt(spans: readonly WinnerSpan[], tMs: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((spans[mid]?.startMs ?? Infinity) <= tMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Sorted, distinct local-limit boundaries strictly inside (startMs, endMs). */
function localBreakpoints(locals: readonly TimedLimit[], startMs: number, endMs: number): number[] {
  const points: number[] = [];
  for (const l of locals) {
    if (l.fromMs !== undefined && l.fromMs > startMs && l.fromMs < endMs) points.push(l.fromMs);
    if (l.toMs !== undefined && l.toMs > startMs && l.toMs < endMs) points.push(l.toMs);
  }
  if (points.length > 1) points.sort((a, b) => a - b);
  return points;
}

export class CompositeEngine {
  private readonly timelines = new WeakMap<readonly ChargingProfile[], CachedTimeline[]>();

  /** Same contract and result as computeComposite. */
  compute(req: CompositeRequest): CompositeSchedule {
    if (!Number.isFinite(req.nowMs) || !Number.isFinite(req.durationS) || req.durationS < 0) {
      throw new RangeError(`composite needs a finite start and a finite, non-negative duration (got ${req.durationS} s)`);
    }
    const startMs = req.nowMs;
    const endMs = startMs + req.durationS * 1000;
    // An empty horizon holds no profile at all (nothing to cache): the reference answers it.
    if (!(startMs < endMs)) return computeComposite(req);
    const { spans } = this.timelineFor(req, startMs, endMs);
    const locals = req.localLimits ?? [];
    const localPoints = localBreakpoints(locals, startMs, endMs);
    const localsNow: TimedLimit[] = [];

    const periods: CompositePeriod[] = [];
    let last: CompositePeriod | undefined;
    let i = spanIndexAt(spans, startMs);
    let j = 0;
    let t = startMs;
    let localsChanged = true;
    for (;;) {
      const span = spans[i];
      if (!span) break;
      if (localsChanged) {
        // local limits change only at their own breakpoints
        localsNow.length = 0;
        for (const l of locals) if (localLimitInForce(l, t)) localsNow.push(l);
        localsChanged = false;
      }
      const period = resolveWinnersAt(req, span.winners, localsNow, (t - startMs) / 1000);
      if (!last || !samePeriod(last, period)) {
        last = period;
        periods.push(period);
      }
      const nextSpanMs = spans[i + 1]?.startMs ?? Infinity;
      const nextLocalMs = localPoints[j] ?? Infinity;
      const next = Math.min(nextSpanMs, nextLocalMs);
      if (!(next < endMs)) break;
      if (nextSpanMs === next) i++;
      if (nextLocalMs === next) {
        j++;
        localsChanged = true;
      }
      t = next;
    }
    return { evseId: req.evseId, scheduleStartMs: startMs, durationS: req.durationS, rateUnit: req.rateUnit, periods };
  }

  private timelineFor(req: CompositeRequest, startMs: number, endMs: number): WinnerTimeline {
    const anchorNowMs = anchoredAtNow(req) ? req.nowMs : NaN;
    const transactionId = req.transaction?.id;
    const transactionStartedMs = req.transaction?.startedMs;
    const priorityCharging = req.priorityCharging === true;
    let cached = this.timelines.get(req.profiles);
    if (cached) {
      for (const c of cached) {
        if (c.evseId === req.evseId && c.transactionId === transactionId && c.transactionStartedMs === transactionStartedMs
          && c.priorityCharging === priorityCharging && Object.is(c.anchorNowMs, anchorNowMs)
          && c.timeline.fromMs <= startMs && endMs <= c.timeline.toMs) {
          return c.timeline;
        }
      }
    } else {
      cached = [];
      this.timelines.set(req.profiles, cached);
    }
    // Twice the horizon (at least a minute past it), so the next requests fit in it too.
    const toMs = endMs + Math.max(endMs - startMs, 60_000);
    const timeline = winnerTimeline(req, startMs, toMs);
    if (cached.length >= MAX_TIMELINES_PER_SET) cached.shift();
    cached.push({ evseId: req.evseId, transactionId, transactionStartedMs, priorityCharging, anchorNowMs, timeline });
    return timeline;
  }
}
