import type { SampledValue } from '../model/types.js';
import { ENERGY_REGISTER_MEASURAND, registerWhOf } from '../model/energy-register.js';

export { ENERGY_REGISTER_MEASURAND };

/** One reading of the energy register (phase total) as the summary keeps it. */
export interface RegisterReading {
  timeMs: number;
  /** Tie-break among readings of equal time: 0 for the context that wins (Begin for the first, End for the last), else 1. */
  rank: number;
  wh: number;
}

/** The first and last energy register readings of a transaction so far. */
export interface RegisterSpan {
  first?: RegisterReading;
  last?: RegisterReading;
}

/**
 * Folds one sampled value into the span, in recording order. Only Energy.Active.Import.Register
 * phase totals count (kWh converted to Wh); a reading no meter can give (negative, or not a finite
 * number once in Wh: `registerWhOf`) is left out, so it never reaches the billed energy. The first
 * reading is the earliest by time, Transaction.Begin first among equal times, the earlier recorded
 * among full ties; the last is the latest by time, Transaction.End first among equal times, the
 * later recorded among full ties.
 */
export function withRegisterReading(span: RegisterSpan, timeMs: number, sv: SampledValue): RegisterSpan {
  if ((sv.measurand ?? ENERGY_REGISTER_MEASURAND) !== ENERGY_REGISTER_MEASURAND || sv.phase !== undefined) return span;
  const reading = registerWhOf(sv);
  if (!('wh' in reading)) return span;
  const { wh } = reading;
  const asFirst = { timeMs, rank: sv.context === 'Transaction.Begin' ? 0 : 1, wh };
  const asLast = { timeMs, rank: sv.context === 'Transaction.End' ? 0 : 1, wh };
  const f = span.first;
  const l = span.last;
  const first = !f || timeMs < f.timeMs || (timeMs === f.timeMs && asFirst.rank < f.rank) ? asFirst : f;
  const last = !l || timeMs > l.timeMs || (timeMs === l.timeMs && asLast.rank <= l.rank) ? asLast : l;
  return { first, last };
}

/**
 * Whether a sampled value is kept as a row of its own: energy readings (billing data, and what
 * the summary and the hub's own Stop read), or every value of an event that has no raw payload
 * to keep them in. Power, current, voltage, SoC and the like stay in the event's raw payload.
 */
export function isStoredAsRow(measurand: string, eventHasRaw: boolean): boolean {
  return !eventHasRaw || measurand.startsWith('Energy.');
}
