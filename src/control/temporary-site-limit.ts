import type { Clock } from '../util/clock.js';

/** A temporary site import limit, W, until `untilMs`, with who set it (e.g. `override:api`). */
export interface SiteLimitOverride {
  powerW: number;
  untilMs: number;
  source: string;
}

export interface TemporarySiteLimitDeps {
  clock: Clock;
  /** The most the site may import without an override, W (its grid connection). */
  capacityW: () => number;
  /** Asks for a decision at once (a lower limit: decreases, never debounced or stepped). */
  decideNow: (reason: string) => void;
  /** Asks for a decision in the ordinary way. */
  trigger: (reason: string) => void;
}

/**
 * The operator's temporary site import limit (API, MQTT command topic): at most one, a newer one
 * replaces it, and it ends by itself at `untilMs` (a decision is asked for then).
 */
export class TemporarySiteLimit {
  private override: SiteLimitOverride | undefined;

  constructor(private readonly deps: TemporarySiteLimitDeps) {}

  /** Sets the limit (W) until `untilMs`; replaces an earlier one. */
  set(powerW: number, untilMs: number, source: string): SiteLimitOverride {
    const { clock } = this.deps;
    const beforeW = this.activeAt(clock.nowMs())?.powerW ?? this.deps.capacityW();
    this.override = { powerW, untilMs, source };
    // A lower limit asks for decreases: decided at once, like a meter rise (not debounced, never stepped).
    if (powerW < beforeW) this.deps.decideNow('site limit override lowered');
    else this.deps.trigger('site limit override');
    clock.setTimeout(() => this.deps.trigger('site limit override expired'), Math.max(0, untilMs - clock.nowMs()));
    return this.override;
  }

  clear(): void {
    this.override = undefined;
    this.deps.trigger('site limit override cleared');
  }

  /** The limit in force at nowMs, if any (one that ended is dropped). */
  activeAt(nowMs: number): SiteLimitOverride | undefined {
    if (this.override && this.override.untilMs <= nowMs) this.override = undefined;
    return this.override;
  }
}
