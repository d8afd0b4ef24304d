/**
 * Wall-clock time in an IANA time zone, pure (Intl only, no system time): what the clock on the
 * wall shows at an instant, and the instant at which it shows a given date and time.
 */

/** Local date and time in a zone. month 1-12, weekday 0-6 (Sunday 0). */
export interface ZonedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

function wallFields(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type in out) out[p.type as keyof typeof out] = Number(p.value);
  }
  return out;
}

/** The wall-clock date and time in timeZone at the instant ms (seconds dropped). */
export function zonedTime(ms: number, timeZone: string): ZonedTime {
  const f = wallFields(ms, timeZone);
  return { year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, weekday: new Date(Date.UTC(f.year, f.month - 1, f.day)).getUTCDay() };
}

/** Offset of the zone from UTC at the instant ms, ms (Berlin in winter: +3,600,000). */
function offsetMs(ms: number, timeZone: string): number {
  const f = wallFields(ms, timeZone);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in timeZone shows this date and time. A time skipped by a
 * daylight-saving jump maps to the instant the jump lands on plus the gap; a repeated time maps
 * to its first occurrence or its second (both are fine for window edges).
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetMs(guess, timeZone);
  return guess - offsetMs(first, timeZone);
}

/** The calendar date `days` after (or before) the given one. */
export function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}
