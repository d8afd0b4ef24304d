/**
 * The schemas' `date-time` format check without allocating for the form stations send.
 *
 * `reference` is the check the answer must equal (ajv-formats' full RFC 3339 date-time, time
 * zone required): it splits the text and runs two regular expressions, a few hundred bytes of
 * garbage per timestamp, and every OCPP message carries timestamps. The check returned here
 * reads the common form `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)` character by character
 * and answers `true` only when the reference would (the same range rules: month 1-12, the
 * month's days with leap years, hour <= 23, minute <= 59, second < 60, offset hour <= 23 and
 * minute <= 59); anything else (another separator or offset form, a leap second, a longer
 * fraction, an invalid value) goes to the reference, so every answer is the reference's.
 */
export function fastDateTime(reference: (text: string) => boolean): (text: string) => boolean {
  return (text) => isPlainValidDateTime(text) || reference(text);
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Longest fraction of a second read here: longer ones could round up to 60 s as a number. */
const MAX_FRACTION_DIGITS = 9;

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at i as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** True only for the plain form with valid values (see fastDateTime); false means "ask the reference". */
function isPlainValidDateTime(text: string): boolean {
  const n = text.length;
  if (n < 20) return false;
  const y1 = twoDigits(text, 0);
  const y2 = twoDigits(text, 2);
  if (y1 < 0 || y2 < 0 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return false;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const sep = text.charCodeAt(10);
  if (sep !== 0x54 && sep !== 0x74) return false; // T or t
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return false;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const year = y1 * 100 + y2;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS[month]!)) return false;
  let i = 19;
  if (text.charCodeAt(i) === 0x2e) {
    const start = ++i;
    while (i < n && digit(text, i) >= 0) i++;
    if (i === start || i - start > MAX_FRACTION_DIGITS) return false;
  }
  if (i === n - 1) {
    const z = text.charCodeAt(i);
    return z === 0x5a || z === 0x7a; // Z or z
  }
  if (i !== n - 6) return false;
  const sign = text.charCodeAt(i);
  if ((sign !== 0x2b && sign !== 0x2d) || text.charCodeAt(i + 3) !== 0x3a) return false;
  const offsetHour = twoDigits(text, i + 1);
  const offsetMinute = twoDigits(text, i + 4);
  return offsetHour >= 0 && offsetHour <= 23 && offsetMinute >= 0 && offsetMinute <= 59;
}
