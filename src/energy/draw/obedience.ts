/**
 * Does a charger obey the limits it accepted? A known failure of cheap chargers: the profile is
 * answered Accepted and the EV keeps drawing more. Pure: judged from the charger's timestamped
 * current reports and the offers the hub sent.
 *
 * A report breaks the limit when its highest phase current is above the highest offer the EV may
 * still have been following (any offer in force within followS before the report) by more than
 * toleranceA. A charger is disobedient while its reports have broken the limit without a break
 * for at least afterS; one report within the limit ends it. Such an EV is budgeted at what it
 * draws: the non-EV estimate never takes more than the offer off the meter (draw-at.ts), so its
 * excess stays in the non-EV load.
 */
import type { DrawHistory, OfferStep } from './draw-at.js';

export interface ObeyParams {
  toleranceA: number;
  afterS: number;
  followS: number;
}

export interface Disobedience {
  /** First report of the unbroken run above the limit, ms since the epoch. */
  sinceMs: number;
  /** The limit it should follow now, A per phase. */
  limitA: number;
  /** Highest phase current in its latest report, A. */
  drawnA: number;
}

export function disobedience(history: DrawHistory, params: ObeyParams): Disobedience | undefined {
  const { samples, offers } = history;
  if (offers.length === 0) return undefined;
  let sinceMs: number | undefined;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i];
    if (!s) break;
    const allowedA = highestOfferA(offers, s.timeMs - params.followS * 1000, s.timeMs);
    if (!(Math.max(0, ...s.currentA) > allowedA + params.toleranceA)) break;
    sinceMs = s.timeMs;
  }
  const latest = samples[samples.length - 1];
  if (sinceMs === undefined || !latest || latest.timeMs - sinceMs < params.afterS * 1000) return undefined;
  return { sinceMs, limitA: highestOfferA(offers, latest.timeMs, latest.timeMs), drawnA: Math.max(0, ...latest.currentA) };
}

/** Highest offer in force at any time in [fromMs, toMs]; Infinity when none is known then. */
export function highestOfferA(offers: readonly OfferStep[], fromMs: number, toMs: number): number {
  let highest = -Infinity;
  let inForce: OfferStep | undefined;
  for (const o of offers) {
    if (o.fromMs <= fromMs) inForce = o;
    else if (o.fromMs <= toMs) highest = Math.max(highest, o.limitA);
    else break;
  }
  if (inForce) highest = Math.max(highest, inForce.limitA);
  return highest === -Infinity ? Infinity : highest;
}
