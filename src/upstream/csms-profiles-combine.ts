/**
 * Combining composite schedules of several EVSEs (pure): the sum of their limits (what a station
 * or the site may draw through them) and the minimum with a cap. Used for the composite of
 * evse 0, the grid connection.
 */
import type { CompositePeriod, CompositeSchedule } from '../energy/composite/index.js';

function periodAt(schedule: CompositeSchedule, offsetS: number): CompositePeriod | undefined {
  let found: CompositePeriod | undefined;
  for (const p of schedule.periods) {
    if (p.startOffsetS > offsetS) break;
    found = p;
  }
  return found;
}

function breakpoints(schedules: readonly CompositeSchedule[]): number[] {
  const all = new Set<number>([0]);
  for (const s of schedules) for (const p of s.periods) all.add(p.startOffsetS);
  return [...all].sort((a, b) => a - b);
}

function merged(periods: CompositePeriod[]): CompositePeriod[] {
  const out: CompositePeriod[] = [];
  for (const p of periods) {
    const last = out[out.length - 1];
    if (last && last.limit === p.limit && last.numberPhases === p.numberPhases && last.source === p.source) continue;
    out.push(p);
  }
  return out;
}

/**
 * The sum of the schedules' limits at every instant (same start, duration and unit assumed),
 * with the highest phase count; `source` names the sum. Undefined for no schedules.
 */
export function sumSchedules(schedules: readonly CompositeSchedule[], source: string): CompositeSchedule | undefined {
  const first = schedules[0];
  if (!first) return undefined;
  const periods: CompositePeriod[] = breakpoints(schedules).map((t) => {
    let limit = 0;
    let numberPhases = 1;
    for (const s of schedules) {
      const p = periodAt(s, t);
      if (!p) continue;
      limit += p.limit;
      numberPhases = Math.max(numberPhases, p.numberPhases);
    }
    return { startOffsetS: t, limit: Math.round(limit * 10) / 10, numberPhases, source };
  });
  return { ...first, periods: merged(periods) };
}

/** At every instant the period with the lower limit of `a` and `cap` (a's on a tie). */
export function capSchedule(a: CompositeSchedule, cap: CompositeSchedule): CompositeSchedule {
  const periods: CompositePeriod[] = [];
  for (const t of breakpoints([a, cap])) {
    const pa = periodAt(a, t);
    const pc = periodAt(cap, t);
    const best = pa && pc ? (pc.limit < pa.limit ? pc : pa) : (pa ?? pc);
    if (best) periods.push({ ...best, startOffsetS: t });
  }
  return { ...a, periods: merged(periods) };
}
