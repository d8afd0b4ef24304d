import { sameFields } from '../util/same-fields.js';

/**
 * Who set a limit. Free-form but conventional, so that the API can always explain why an
 * EVSE got the current it got: `fuse:main`, `circuit:level-2`, `csms:profile 7`,
 * `strategy:solar-surplus`, `der:FreqDroop`, `failsafe`, `evse:max`, `evse:min`, `override:api`.
 */
export type LimitSource = string;

/** A cap on an EVSE's charging current per phase, with who set it. */
export interface CurrentLimit {
  /** Max current on each phase the EVSE uses, in A. 0 means paused. */
  maxCurrentA: number;
  source: LimitSource;
  /** Human-readable reason, optional. */
  reason?: string;
}

/** The tightest of several limits (the first on a tie). Undefined for an empty list. */
export function tightest(limits: readonly CurrentLimit[]): CurrentLimit | undefined {
  let best: CurrentLimit | undefined;
  for (const l of limits) if (!best || l.maxCurrentA < best.maxCurrentA) best = l;
  return best;
}

/** Same own fields with the same values (every field of the limit, whatever it holds). */
export function sameLimit(a: CurrentLimit, b: CurrentLimit): boolean {
  return sameFields(a, b);
}

/** Two lists of limits with the same limits in the same order (sameLimit). */
export function sameLimits(a: readonly CurrentLimit[], b: readonly CurrentLimit[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameLimit(a[i] as CurrentLimit, b[i] as CurrentLimit)) return false;
  return true;
}

/**
 * Whether `l` is exactly { maxCurrentA, source, reason } (no other field; `reason` absent when
 * undefined): lets a caller use an earlier limit again without building the new one first.
 */
export function isLimit(l: CurrentLimit, maxCurrentA: number, source: string, reason?: string): boolean {
  if (l.maxCurrentA !== maxCurrentA || l.source !== source || l.reason !== reason) return false;
  let n = 0;
  for (const _k in l) n++;
  return n === (reason === undefined ? 2 : 3);
}
