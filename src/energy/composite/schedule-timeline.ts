import type { ChargingProfile, ChargingSchedule, SchedulePeriod } from '../charging-profile.js';

/**
 * When a single profile's schedule is in force, and with which period.
 *
 * - The profile counts only while validFromMs <= t < validToMs (each bound when set).
 * - Absolute: offsets count from startScheduleMs; active while 0 <= offset < durationS.
 *   Without startScheduleMs it is relative to the start of charging (2.0.1 ChargingScheduleType),
 *   so it is anchored as a Relative one.
 * - Recurring: cycles of 86,400 s (Daily) or 604,800 s (Weekly) start at startScheduleMs + k * cycle
 *   for every integer k (also before startScheduleMs: the recurrence has no first day, validFromMs
 *   bounds it; without startScheduleMs, which validation rejects, cycles start at
 *   midnight UTC). Offset = t - the latest cycle start; active while offset < min(durationS, cycle).
 *   So a daily 22:00 + 8 h window covers 02:00 of the next day, and a weekly Sunday 22:00 + 4 h
 *   window covers Monday 01:00 of the next week.
 * - Relative: offsets count from the start of the running transaction; with no transaction, as if
 *   one started at nowMs (the reading most chargers use for a relative TxDefaultProfile).
 * - The period in force is the last one with startPeriodS <= offset.
 */

export const CYCLE_S = { Daily: 86_400, Weekly: 604_800 } as const;

/** What the anchor of a schedule depends on besides the profile. */
export interface AnchorContext {
  nowMs: number;
  /** Start of the transaction on the EVSE, if one runs. */
  transactionStartedMs?: number;
}

/** A stretch [startMs, endMs) during which one period of one profile is in force. */
export interface Segment {
  startMs: number;
  endMs: number;
  period: SchedulePeriod;
}

/** The schedule in force: the first one (2.x allows alternatives; the first is the one used). */
export function scheduleOf(profile: ChargingProfile): ChargingSchedule | undefined {
  const s = profile.schedules[0];
  return s && s.periods.length > 0 ? s : undefined;
}

function anchorMs(profile: ChargingProfile, schedule: ChargingSchedule, ctx: AnchorContext): number {
  if (profile.kind === 'Recurring') return schedule.startScheduleMs ?? 0;
  if (profile.kind === 'Absolute' && schedule.startScheduleMs !== undefined) return schedule.startScheduleMs;
  return ctx.transactionStartedMs ?? ctx.nowMs;
}

function cycleMs(profile: ChargingProfile): number {
  return CYCLE_S[profile.recurrency ?? 'Daily'] * 1000;
}

function spanMs(schedule: ChargingSchedule): number {
  return schedule.durationS === undefined ? Infinity : schedule.durationS * 1000;
}

/** Index of the last period with startPeriodS * 1000 <= offsetMs, or -1. */
function periodIndexAt(periods: readonly SchedulePeriod[], offsetMs: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid];
    if (p !== undefined && p.startPeriodS * 1000 <= offsetMs) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The period of this profile in force at tMs, or undefined when the profile does not count then. */
export function activePeriodAt(profile: ChargingProfile, ctx: AnchorContext, tMs: number): SchedulePeriod | undefined {
  if (profile.validFromMs !== undefined && tMs < profile.validFromMs) return undefined;
  if (profile.validToMs !== undefined && tMs >= profile.validToMs) return undefined;
  const schedule = scheduleOf(profile);
  if (!schedule) return undefined;
  const anchor = anchorMs(profile, schedule, ctx);
  let offsetMs: number;
  let endMs = spanMs(schedule);
  if (profile.kind === 'Recurring') {
    const cycle = cycleMs(profile);
    offsetMs = tMs - (anchor + Math.floor((tMs - anchor) / cycle) * cycle);
    endMs = Math.min(endMs, cycle);
  } else {
    offsetMs = tMs - anchor;
    if (offsetMs < 0) return undefined;
  }
  if (offsetMs >= endMs) return undefined;
  return schedule.periods[periodIndexAt(schedule.periods, offsetMs)];
}

/** Push the periods of one run of the schedule starting at anchor, clipped to [loMs, hiMs). */
function pushRun(
  out: Segment[], periods: readonly SchedulePeriod[], anchor: number, runEndMs: number, loMs: number, hiMs: number,
): void {
  const first = Math.max(0, periodIndexAt(periods, loMs - anchor));
  for (let i = first; i < periods.length; i++) {
    const period = periods[i];
    if (period === undefined) break;
    const startMs = anchor + period.startPeriodS * 1000;
    if (startMs >= hiMs || startMs >= runEndMs) break;
    const next = periods[i + 1];
    const endMs = Math.min(next === undefined ? Infinity : anchor + next.startPeriodS * 1000, runEndMs, hiMs);
    const from = Math.max(startMs, loMs);
    if (from < endMs) out.push({ startMs: from, endMs, period });
  }
}

/**
 * Every stretch within [fromMs, toMs) during which the profile counts, with its period, sorted.
 * Agrees with activePeriodAt at every instant of the window.
 */
export function profileSegments(profile: ChargingProfile, ctx: AnchorContext, fromMs: number, toMs: number): Segment[] {
  const out: Segment[] = [];
  const schedule = scheduleOf(profile);
  if (!schedule) return out;
  const lo = Math.max(fromMs, profile.validFromMs ?? -Infinity);
  const hi = Math.min(toMs, profile.validToMs ?? Infinity);
  if (!(lo < hi)) return out;
  const anchor = anchorMs(profile, schedule, ctx);
  const span = spanMs(schedule);
  if (profile.kind !== 'Recurring') {
    pushRun(out, schedule.periods, anchor, anchor + span, lo, hi);
    return out;
  }
  const cycle = cycleMs(profile);
  const run = Math.min(span, cycle);
  for (let start = anchor + Math.floor((lo - anchor) / cycle) * cycle; start < hi; start += cycle) {
    pushRun(out, schedule.periods, start, start + run, lo, hi);
  }
  return out;
}
