/** Reconnect backoff: exponential with jitter, all durations in ms. */
export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Each failed attempt multiplies the delay by this. */
  factor: number;
  /** The delay is spread by +/- this fraction (0.25: 75 % .. 125 %), so a site's links do not reconnect in step. */
  jitter: number;
}

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry). `random` is in [0, 1);
 * the result never exceeds maxDelayMs and is never negative.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt));
  const spread = 1 + policy.jitter * (2 * random - 1);
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(base * spread)));
}
