import type { Clock } from '../util/clock.js';

export interface LoginThrottleOptions {
  /** Failed logins from one address that cost nothing (a station with a mistyped password retries). */
  freeFailures: number;
  /** Wait after the first failure beyond the free ones, ms; it doubles with each further failure. */
  initialDelayMs: number;
  /** The longest wait (the lockout), ms. */
  maxDelayMs: number;
  /** An address is forgotten this long after its last failure, ms. */
  forgetAfterMs: number;
  /** Addresses tracked at once; the one idle longest is forgotten first. */
  maxAddresses: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  freeFailures: 5,
  initialDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxAddresses: 10_000,
};

interface Entry {
  failures: number;
  lastFailureMs: number;
  /** No attempt is checked before this instant. */
  blockedUntilMs: number;
}

/**
 * Failed station logins per source address: after `freeFailures`, each further failure makes the
 * address wait before its next attempt is even checked (1 s, 2 s, 4 s, ... up to `maxDelayMs`).
 * A refused attempt inside the wait costs no password hashing. A success clears the address.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: { clock: Clock; options?: Partial<LoginThrottleOptions> }) {}

  private get opts(): LoginThrottleOptions {
    return { ...DEFAULT_LOGIN_THROTTLE, ...this.deps.options };
  }

  /** Seconds the address must still wait, or 0 when its attempt may be checked. */
  waitS(address: string): number {
    const e = this.live(address);
    if (!e) return 0;
    const leftMs = e.blockedUntilMs - this.deps.clock.nowMs();
    return leftMs > 0 ? Math.ceil(leftMs / 1000) : 0;
  }

  failed(address: string): void {
    const now = this.deps.clock.nowMs();
    const o = this.opts;
    const e = this.live(address) ?? { failures: 0, lastFailureMs: now, blockedUntilMs: 0 };
    e.failures += 1;
    e.lastFailureMs = now;
    const over = e.failures - o.freeFailures;
    if (over > 0) e.blockedUntilMs = now + Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** Math.min(over - 1, 30));
    this.entries.delete(address);
    this.entries.set(address, e);
    this.trim(o.maxAddresses);
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  /** Addresses currently tracked (for metrics and tests). */
  get size(): number {
    return this.entries.size;
  }

  private live(address: string): Entry | undefined {
    const e = this.entries.get(address);
    if (e && this.deps.clock.nowMs() - e.lastFailureMs > Math.max(this.opts.forgetAfterMs, e.blockedUntilMs - e.lastFailureMs)) {
      this.entries.delete(address);
      return undefined;
    }
    return e;
  }

  private trim(max: number): void {
    // Map iteration order is insertion order and failed() re-inserts: the first key is the stalest.
    while (this.entries.size > max) {
      const first = this.entries.keys().next().value;
      if (first === undefined) return;
      this.entries.delete(first);
    }
  }
}
