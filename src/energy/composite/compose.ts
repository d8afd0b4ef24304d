import type { ChargingProfile } from '../charging-profile.js';
import { type ActiveEntry, localLimitInForce, resolveInstant } from './resolve.js';
import { type AnchorContext, type Segment, activePeriodAt, profileSegments } from './schedule-timeline.js';
import type { CompositePeriod, CompositeRequest, CompositeSchedule, EffectiveLimit, TimedLimit } from './types.js';

/**
 * The composite schedule of one EVSE (or of the station, evseId 0) over
 * [nowMs, nowMs + durationS): the CSMS's profiles combined as OCPP specifies (see
 * schedule-timeline.ts for when a profile counts and resolve.ts for how they combine), capped by
 * the hub's local limits and the EVSE's rating.
 *
 * It works on breakpoints, not on a clock tick: the periods change exactly where an input changes
 * (a period or schedule starts or ends, validity begins or ends, a local limit starts or ends),
 * and the composite is evaluated once per breakpoint. Equal neighbours (same limit, phases,
 * source, setpoint, dischargeLimit and operationMode) are merged.
 */

export function anchorContext(req: CompositeRequest): AnchorContext {
  return req.transaction ? { nowMs: req.nowMs, transactionStartedMs: req.transaction.startedMs } : { nowMs: req.nowMs };
}

/** The profiles that can matter for this request (by EVSE, purpose and transaction). */
export function relevantProfiles(req: CompositeRequest): ChargingProfile[] {
  const station = req.evseId === 0;
  return req.profiles.filter((p) => {
    if (p.evseId !== 0 && p.evseId !== req.evseId) return false;
    switch (p.purpose) {
      case 'ChargingStationMaxProfile':
        return p.evseId === 0;
      case 'ChargingStationExternalConstraints':
      case 'LocalGeneration':
        return true;
      case 'TxDefaultProfile':
        return !station;
      case 'TxProfile':
        return !station && req.transaction !== undefined
          && (p.transactionId === undefined || p.transactionId === req.transaction.id);
      case 'PriorityCharging':
        return !station && req.priorityCharging === true;
    }
  });
}

/** The effective limit at one instant, with its source. Any instant, not only within the horizon. */
export function limitAt(req: CompositeRequest, tMs: number): EffectiveLimit {
  const ctx = anchorContext(req);
  const entries: ActiveEntry[] = [];
  for (const profile of relevantProfiles(req)) {
    const period = activePeriodAt(profile, ctx, tMs);
    if (period) entries.push({ profile, period });
  }
  const locals = (req.localLimits ?? []).filter((l) => localLimitInForce(l, tMs));
  return resolveInstant(req, entries, locals);
}

function samePeriod(a: EffectiveLimit, b: EffectiveLimit): boolean {
  return a.limit === b.limit && a.numberPhases === b.numberPhases && a.source === b.source
    && a.setpoint === b.setpoint && a.dischargeLimit === b.dischargeLimit && a.operationMode === b.operationMode;
}

interface Track {
  segments: Segment[];
  next: number;
  /** Reused for every breakpoint at which the profile counts (saves an allocation per instant). */
  entry: ActiveEntry;
}

/** Sorted, distinct instants in [startMs, endMs) where an input changes, startMs first. */
export function sortedBreakpoints(
  segmentLists: readonly (readonly Segment[])[], locals: readonly TimedLimit[], startMs: number, endMs: number,
): number[] {
  let capacity = 1 + 2 * locals.length;
  for (const segments of segmentLists) capacity += 2 * segments.length;
  const points = new Float64Array(capacity); // typed arrays sort numerically without a comparator
  let n = 0;
  points[n++] = startMs;
  for (const segments of segmentLists) {
    for (const s of segments) {
      if (s.startMs > startMs && s.startMs < endMs) points[n++] = s.startMs;
      if (s.endMs > startMs && s.endMs < endMs) points[n++] = s.endMs;
    }
  }
  for (const l of locals) {
    if (l.fromMs !== undefined && l.fromMs > startMs && l.fromMs < endMs) points[n++] = l.fromMs;
    if (l.toMs !== undefined && l.toMs > startMs && l.toMs < endMs) points[n++] = l.toMs;
  }
  const sorted = points.subarray(0, n).sort();
  const unique: number[] = [];
  for (const t of sorted) if (unique[unique.length - 1] !== t) unique.push(t);
  return unique;
}

export function computeComposite(req: CompositeRequest): CompositeSchedule {
  if (!Number.isFinite(req.nowMs) || !Number.isFinite(req.durationS) || req.durationS < 0) {
    throw new RangeError(`composite needs a finite start and a finite, non-negative duration (got ${req.durationS} s)`);
  }
  const startMs = req.nowMs;
  const endMs = startMs + req.durationS * 1000;
  const ctx = anchorContext(req);
  const tracks: Track[] = [];
  for (const profile of relevantProfiles(req)) {
    const segments = profileSegments(profile, ctx, startMs, endMs);
    const first = segments[0];
    if (first) tracks.push({ segments, next: 0, entry: { profile, period: first.period } });
  }
  const locals = req.localLimits ?? [];

  const periods: CompositePeriod[] = [];
  let last: CompositePeriod | undefined;
  const entries: ActiveEntry[] = [];
  const localsNow: TimedLimit[] = [];
  for (const t of sortedBreakpoints(tracks.map((track) => track.segments), locals, startMs, endMs)) {
    entries.length = 0;
    for (const track of tracks) {
      let seg = track.segments[track.next];
      while (seg && seg.endMs <= t) seg = track.segments[++track.next];
      if (seg && seg.startMs <= t) {
        track.entry.period = seg.period;
        entries.push(track.entry);
      }
    }
    localsNow.length = 0;
    for (const l of locals) if (localLimitInForce(l, t)) localsNow.push(l);
    const effective = resolveInstant(req, entries, localsNow);
    if (last && samePeriod(last, effective)) continue;
    last = { startOffsetS: (t - startMs) / 1000, ...effective };
    periods.push(last);
  }
  return { evseId: req.evseId, scheduleStartMs: startMs, durationS: req.durationS, rateUnit: req.rateUnit, periods };
}
