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
