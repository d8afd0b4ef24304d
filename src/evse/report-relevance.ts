import type { OfferStep } from '../energy/draw/draw-at.js';
import type { EvseLiveState } from '../energy/site-model.js';

/**
 * A reported current this close to the previous report (A, on every phase) tells a decision
 * nothing new: the live state keeps it (every decision reads it), but it does not ask for one.
 */
export const REPORT_CHANGE_A = 0.5;

/**
 * Whether a charger's transaction message, already applied to the live state (`before` ->
 * `after`), is worth a decision of its own. Pure.
 *
 * Every report is kept whatever this says, so the next decision (a meter reading, another
 * EVSE's event, the safety tick) sees it; this only decides whether to ask for one now. On a
 * site of thousands of chargers reporting every few seconds the same current, asking at every
 * report kept the controller deciding several times a second over every EVSE.
 *
 * Worth a decision: a transaction that starts, ends or changes; a current that moved by
 * REPORT_CHANGE_A or more on a phase (or reports other phases) since the previous report; and
 * any report while an offer is recent enough that the report can show whether the EV followed
 * it: the offer was sent at most `followMs` before the previous report, or before this one when
 * it is the transaction's first (what lining reports up with meter readings, the ramp reserve
 * and make-before-break's "follows" read from reports depends on exactly that window, see
 * energy/draw/draw-at.ts). A charger drawing more than it accepted is judged by the caller
 * (ObedienceWatch) and always asks.
 */
export function reportWorthDeciding(before: EvseLiveState | undefined, after: EvseLiveState | undefined, offers: readonly OfferStep[], followMs: number): boolean {
  if (!after) return false;
  if (!before || before.active !== after.active || before.transactionId !== after.transactionId) return true;
  if (!after.active) return false;
  const prev = lastOf(before.samples);
  const next = lastOf(after.samples);
  if (next === undefined || next === prev) return false;
  if (prev !== undefined) {
    if (prev.currentA.length !== next.currentA.length) return true;
    for (let i = 0; i < next.currentA.length; i++) {
      if (!(Math.abs((next.currentA[i] ?? 0) - (prev.currentA[i] ?? 0)) < REPORT_CHANGE_A)) return true;
    }
  }
  // The first report of a transaction counts from itself: before it the EV counted as drawing
  // nothing (draw-at.ts, ramp-reserve.ts), so on its own it only frees capacity (increases may wait).
  const lastOffer = lastOf(offers);
  return lastOffer !== undefined && lastOffer.fromMs >= (prev ?? next).timeMs - followMs;
}

function lastOf<T>(items: readonly T[] | undefined): T | undefined {
  return items === undefined || items.length === 0 ? undefined : items[items.length - 1];
}
