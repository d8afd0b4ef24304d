/**
 * What an EV drew at a given instant, bounded from below, from the charger's own reports and
 * the offers the hub made. Pure.
 *
 * Why a lower bound: the building (non-EV) load is estimated as a meter reading minus the EVs'
 * draw at the meter's time. Taking too much EV draw off makes the building look smaller than it
 * is and hands out capacity that is not there; taking too little only makes the hub careful. So
 * each EV's draw at the meter's time is taken as the least it can have been.
 *
 * The model (stated, and checked by property tests): an EV draws min(what it wants, the limit it
 * follows). What it wants does not fall between two of its reports unless the later report
 * shows it, and then not below what that report shows (an EV that starts, or ramps up, may do so
 * at any moment); it follows a new limit at any time from when the hub sent it up to `followS`
 * later. Each report is exact at its timestamp. Then the draw at `atMs` is at least the least
 * of: the last report at or before `atMs`, the first report after it where that shows a fall
 * (below), and the lowest limit the EV may have been following since its last
 * report (any offer in force from `followS` before that report to `atMs`, leaving out offers that
 * were superseded before the one the report shows it followed). Without a report at
 * or before `atMs` the EV may have started after it: the bound is 0.
 *
 * "Unless a later report shows it": a fall shows as a report below what the EV would draw had
 * its want not fallen, i.e. below both the earlier report and the lowest offer it may follow at
 * the later report's time. A later report at or above that (the typical case: the EV now draws
 * a lower offer the hub sent after `atMs`) shows the offer, not a fall, and leaves the bound
 * where it was before that report arrived. Without this, the report of an EV following a
 * decrease made the EV look as if it had drawn the new offer already at a reading taken before
 * the decrease was sent: the part it had not shed yet counted as non-EV load, the site looked
 * over, and a second round of decreases followed. Readings taken after a decrease was sent keep
 * the new offer as the bound (the EV may have followed before the reading). Like the offer window,
 * this takes `atMs` as not earlier than the measurement and an offer's `fromMs` as when it was sent.
 */

/** One report of the current an EV draws, A per EVSE phase, and when it was measured. */
export interface DrawSample {
  timeMs: number;
  currentA: readonly number[];
}

/** An offer (limit per EVSE phase, A) in force from `fromMs` (when the hub sent it) on. */
export interface OfferStep {
  fromMs: number;
  limitA: number;
}

export interface DrawHistory {
  /** Reports in time order. */
  samples: readonly DrawSample[];
  /** Offers in time order; empty when the hub never sent one (then no offer bound applies). */
  offers: readonly OfferStep[];
}

/** The least the EV can have drawn at atMs, A per EVSE phase (as many entries as the reports have). */
export function drawLowerBoundA(history: DrawHistory, atMs: number, followS: number): number[] {
  const { samples } = history;
  let before: DrawSample | undefined;
  let after: DrawSample | undefined;
  for (const s of samples) {
    if (s.timeMs <= atMs) before = s;
    else {
      after = s;
      break;
    }
  }
  if (!before) return (after?.currentA ?? []).map(() => 0);
  const mayFollow = followable(history.offers, before, followS);
  const offerA = lowestOfferA(mayFollow, before.timeMs - followS * 1000, atMs);
  // The lowest offer the EV may follow at the later report: a report at or above it (and below
  // the earlier one) is explained by that offer and shows no fall of what the EV wants.
  const laterOfferA = after ? lowestOfferA(mayFollow, after.timeMs - followS * 1000, after.timeMs) : Infinity;
  return before.currentA.map((a, i) => {
    const earlierA = finiteOr0(a);
    const later = after?.currentA[i];
    const laterA = later === undefined ? Infinity : finiteOr0(later);
    const showsFall = laterA < Math.min(earlierA, laterOfferA);
    return Math.max(0, Math.min(earlierA, showsFall ? laterA : Infinity, offerA));
  });
}

/**
 * The offers the EV may still follow after a report. At the report it drew `r`, so it followed an
 * offer of at least r among those it could be following then (in force within followS before the
 * report); every offer older than the first such one was superseded for good. When no offer was
 * in force followS before the report, the EV may still have been under no offer of the hub's at
 * all (it draws what it wants), which explains any report: nothing is known to be superseded.
 */
function followable(offers: readonly OfferStep[], report: DrawSample, followS: number): readonly OfferStep[] {
  const drewA = Math.max(0, ...report.currentA.map(finiteOr0));
  if (!(drewA > 0)) return offers;
  const fromMs = report.timeMs - followS * 1000;
  let first = -1;
  for (let i = 0; i < offers.length; i++) if ((offers[i]?.fromMs ?? 0) <= fromMs) first = i;
  if (first < 0) return offers;
  for (let i = first; i < offers.length; i++) {
    const o = offers[i];
    if (!o || o.fromMs > report.timeMs) break;
    if (o.limitA >= drewA) return offers.slice(i);
  }
  return offers;
}

/** Lowest offer in force at any time in [fromMs, toMs]; Infinity when none is known. */
export function lowestOfferA(offers: readonly OfferStep[], fromMs: number, toMs: number): number {
  let lowest = Infinity;
  let inForce: OfferStep | undefined;
  for (const o of offers) {
    if (o.fromMs <= fromMs) inForce = o;
    else if (o.fromMs <= toMs) lowest = Math.min(lowest, o.limitA);
    else break;
  }
  return inForce ? Math.min(lowest, inForce.limitA) : lowest;
}

function finiteOr0(v: number): number {
  return Number.isFinite(v) ? v : 0;
}
