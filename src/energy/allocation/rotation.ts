import type { RotationEntry, RotationState } from './types.js';

export const DEFAULT_ROTATION_PERIOD_S = 900;

/** An EVSE that wants at least its minimum. */
export interface RotationCandidate {
  key: string;
  priority: number;
  transactionStartedMs?: number;
}

/**
 * The order in which EVSEs are admitted at their minimum when not all fit. Turns are sticky:
 * an EVSE keeps its turn for a rotation period, then one that has waited a full period goes
 * first. Groups, in order:
 *   0. paused for at least the period (longest waiting first),
 *   1. served for less than the period (most recently admitted first),
 *   2. served for at least the period (most recently admitted first),
 *   3. paused for less than the period, and newcomers (longest waiting first).
 * Ties: higher priority, earlier transaction start, key. Admission takes EVSEs in this order
 * and skips those that do not fit, so the longest waiter is always first in line once it has
 * waited a period: no EVSE starves while its minimum fits the circuits at all.
 */
export function admissionOrder(
  candidates: readonly RotationCandidate[],
  state: RotationState,
  nowMs: number,
  periodMs: number,
): RotationCandidate[] {
  const keyed = candidates.map((c) => {
    const e: RotationEntry | undefined = state.entries[c.key];
    const sinceMs = e ? e.sinceMs : nowMs;
    const long = nowMs - sinceMs >= periodMs;
    let group: number;
    if (!e || e.status === 'paused') group = e && long ? 0 : 3;
    else group = long ? 2 : 1;
    // Groups 0 and 3: oldest first; groups 1 and 2: newest first.
    const order = group === 0 || group === 3 ? sinceMs : -sinceMs;
    return { c, group, order };
  });
  keyed.sort(
    (a, b) =>
      a.group - b.group ||
      a.order - b.order ||
      b.c.priority - a.c.priority ||
      (a.c.transactionStartedMs ?? Infinity) - (b.c.transactionStartedMs ?? Infinity) ||
      (a.c.key < b.c.key ? -1 : a.c.key > b.c.key ? 1 : 0),
  );
  return keyed.map((k) => k.c);
}

/** The entry after this call: status changes restart the clock; raised offers restart the ramp timer. */
export function nextEntry(
  prev: RotationEntry | undefined,
  status: 'served' | 'paused',
  offeredA: number,
  nowMs: number,
  raiseThresholdA: number,
): RotationEntry {
  const sinceMs = prev && prev.status === status ? prev.sinceMs : nowMs;
  const raised = !prev || offeredA > prev.offeredA + raiseThresholdA;
  return { status, sinceMs, offeredA, raisedMs: raised ? nowMs : prev.raisedMs };
}

/** An EVSE whose limit was changed after the allocation (held, staged): what it gets instead. */
export interface SentChange {
  key: string;
  minA: number;
  finalA: number;
}

/**
 * The rotation memory once limits were changed after the allocation (a decrease held, a start
 * or increase staged): such an EVSE counts as served when it gets at least its minimum and as
 * paused otherwise, and its offer is what it gets. So a held EVSE does not lose its turn, a
 * staged start does not begin one, and under-draw is judged against what was really offered.
 */
export function rotationAsSent(prev: RotationState, allocated: RotationState, changes: readonly SentChange[], nowMs: number, raiseThresholdA: number): RotationState {
  if (changes.length === 0) return allocated;
  const entries = { ...allocated.entries };
  for (const c of changes) {
    if (!entries[c.key]) continue;
    const status = c.finalA > 0 && c.finalA >= c.minA ? 'served' : 'paused';
    entries[c.key] = nextEntry(prev.entries[c.key], status, c.finalA, nowMs, raiseThresholdA);
  }
  return { entries };
}
