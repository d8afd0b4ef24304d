import type { ChargingProfile } from '../charging-profile.js';
import type { ActiveEntry } from './resolve.js';
import { type AnchorContext, type Segment, profileSegments } from './schedule-timeline.js';
import type { CompositeRequest, TimedLimit } from './types.js';

/**
 * Which of a request's profiles count, and the walk over their breakpoints that both the
 * reference composite (compose.ts) and the winner timeline (winner-timeline.ts) are built on.
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

interface Track {
  segments: Segment[];
  next: number;
  /** Reused for every breakpoint at which the profile counts (saves an allocation per instant). */
  entry: ActiveEntry;
}

/**
 * Walks the request's relevant profiles over [fromMs, toMs) breakpoint by breakpoint (the
 * profiles' own, plus the boundaries of `locals`): `visit` gets each instant in order, with the
 * profiles that count then and their period in force. The array and its entries are reused from
 * one instant to the next: copy what must outlive the call.
 */
export function walkBreakpoints(
  req: CompositeRequest, fromMs: number, toMs: number, locals: readonly TimedLimit[],
  visit: (tMs: number, entries: readonly ActiveEntry[]) => void,
): void {
  const ctx = anchorContext(req);
  const tracks: Track[] = [];
  for (const profile of relevantProfiles(req)) {
    const segments = profileSegments(profile, ctx, fromMs, toMs);
    const first = segments[0];
    if (first) tracks.push({ segments, next: 0, entry: { profile, period: first.period } });
  }
  const entries: ActiveEntry[] = [];
  for (const t of sortedBreakpoints(tracks.map((track) => track.segments), locals, fromMs, toMs)) {
    entries.length = 0;
    for (const track of tracks) {
      let seg = track.segments[track.next];
      while (seg && seg.endMs <= t) seg = track.segments[++track.next];
      if (seg && seg.startMs <= t) {
        track.entry.period = seg.period;
        entries.push(track.entry);
      }
    }
    visit(t, entries);
  }
}
