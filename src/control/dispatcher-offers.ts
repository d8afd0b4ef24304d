import type { OfferStep } from '../energy/draw/draw-at.js';
import type { Slot } from './dispatcher-slot.js';

/** How long sent offers are remembered (the estimator looks back followS before a report). */
const OFFER_MEMORY_MS = 10 * 60_000;

/**
 * Dynamic limits sent to an EVSE recently (oldest first), with the base profile once the lease
 * ran out: what the charger was offered, for the draw estimator and the obedience check. Offers
 * older than OFFER_MEMORY_MS are dropped from the slot (the last one always stays). The same
 * array while nothing changed (a caller may compare by identity); never changed afterwards.
 */
export function offersAt(s: Slot, nowMs: number): readonly OfferStep[] {
  let drop = 0;
  while (s.offers.length - drop > 1 && (s.offers[drop + 1]?.fromMs ?? 0) < nowMs - OFFER_MEMORY_MS) drop++;
  if (drop > 0) s.offers = s.offers.slice(drop);
  if (s.leaseUntilMs === undefined || s.leaseUntilMs > nowMs || s.baseSentA === undefined) return s.offers;
  const l = s.lapsed;
  if (l?.offers === s.offers && l.leaseUntilMs === s.leaseUntilMs && l.baseSentA === s.baseSentA) return l.steps;
  const steps = [...s.offers, { fromMs: s.leaseUntilMs, limitA: s.baseSentA }];
  s.lapsed = { offers: s.offers, leaseUntilMs: s.leaseUntilMs, baseSentA: s.baseSentA, steps };
  return steps;
}
