import type { SiteSnapshot } from '../energy/strategy.js';
import type { Clock, TimerHandle } from '../util/clock.js';

/** Largest setpoint magnitude accepted, W. */
export const MAX_SETPOINT_W = 10_000_000;
/** Longest time a setpoint holds, s (7 days). */
export const MAX_SETPOINT_DURATION_S = 7 * 86_400;

/** An external setpoint for one EVSE, W: positive charges, negative discharges. */
export interface EvseSetpoint {
  evseKey: string;
  setpointW: number;
  /** Most negative power allowed, W (<= 0). */
  dischargeLimitW?: number;
  /** When it lapses, ms since the epoch. */
  untilMs: number;
  /** `external:api`, `external:mqtt`. */
  source: string;
}

/** An external site setpoint, W, shared among the EVSEs under setpoint control without their own. */
export interface SiteSetpoint {
  setpointW: number;
  untilMs: number;
  source: string;
}

export interface SetpointRequest {
  setpointW: number;
  dischargeLimitW?: number;
  durationS: number;
  source: string;
}

export interface ExternalSetpointsDeps {
  clock: Clock;
  /** Is this EVSE key configured? */
  knows(evseKey: string): boolean;
  /** Receives the setpoints in force after every change and expiry (undefined: none). */
  apply(setpoints: SiteSnapshot['setpoints']): void;
}

/**
 * Setpoints from outside the hub (API, MQTT), each with an expiry: an external system that goes
 * quiet must not leave an EV discharging. Every change, and every expiry (a timer on the clock),
 * hands the setpoints in force to `apply`. Bad values throw RangeError (callers validate first).
 */
export class ExternalSetpoints {
  private readonly evses = new Map<string, EvseSetpoint>();
  private site: SiteSetpoint | undefined;
  private timer: TimerHandle | undefined;

  constructor(private readonly deps: ExternalSetpointsDeps) {}

  /** Sets (replaces) an EVSE's setpoint; undefined for an unknown EVSE. */
  setEvse(evseKey: string, req: SetpointRequest): EvseSetpoint | undefined {
    check(req);
    if (!this.deps.knows(evseKey)) return undefined;
    const sp: EvseSetpoint = {
      evseKey,
      setpointW: req.setpointW,
      ...(req.dischargeLimitW !== undefined ? { dischargeLimitW: req.dischargeLimitW } : {}),
      untilMs: this.deps.clock.nowMs() + req.durationS * 1000,
      source: req.source,
    };
    this.evses.set(evseKey, sp);
    this.changed();
    return sp;
  }

  /** Clears an EVSE's setpoint; false for an unknown EVSE (true when there was none to clear). */
  clearEvse(evseKey: string): boolean {
    if (!this.deps.knows(evseKey)) return false;
    if (this.evses.delete(evseKey)) this.changed();
    return true;
  }

  setSite(req: Omit<SetpointRequest, 'dischargeLimitW'>): SiteSetpoint {
    check(req);
    this.site = { setpointW: req.setpointW, untilMs: this.deps.clock.nowMs() + req.durationS * 1000, source: req.source };
    this.changed();
    return this.site;
  }

  clearSite(): void {
    if (this.site === undefined) return;
    this.site = undefined;
    this.changed();
  }

  /** The setpoints in force now. */
  list(): { site?: SiteSetpoint; evses: EvseSetpoint[] } {
    this.prune(this.deps.clock.nowMs());
    return { ...(this.site ? { site: this.site } : {}), evses: [...this.evses.values()] };
  }

  /** As the controller's snapshot wants them. */
  snapshot(): SiteSnapshot['setpoints'] {
    const { site, evses } = this.list();
    if (!site && evses.length === 0) return undefined;
    return {
      ...(site ? { siteW: { valueW: site.setpointW, source: site.source } } : {}),
      ...(evses.length > 0
        ? {
            evse: Object.fromEntries(
              evses.map((e) => [e.evseKey, { valueW: e.setpointW, source: e.source, ...(e.dischargeLimitW !== undefined ? { dischargeLimitW: e.dischargeLimitW } : {}) }]),
            ),
          }
        : {}),
    };
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private prune(nowMs: number): boolean {
    let removed = false;
    for (const [key, sp] of this.evses) {
      if (sp.untilMs <= nowMs) removed = this.evses.delete(key) || removed;
    }
    if (this.site && this.site.untilMs <= nowMs) {
      this.site = undefined;
      removed = true;
    }
    return removed;
  }

  /** Hands the setpoints in force on, and arms a timer for the next expiry. */
  private changed(): void {
    this.deps.apply(this.snapshot());
    this.stop();
    const next = Math.min(...[...this.evses.values()].map((e) => e.untilMs), this.site?.untilMs ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(next)) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.prune(this.deps.clock.nowMs());
      this.changed();
    }, Math.max(0, next - this.deps.clock.nowMs()));
  }
}

function check(req: { setpointW: number; dischargeLimitW?: number; durationS: number }): void {
  if (!Number.isFinite(req.setpointW) || Math.abs(req.setpointW) > MAX_SETPOINT_W) {
    throw new RangeError(`setpointW: expected -${MAX_SETPOINT_W}..${MAX_SETPOINT_W} W, found ${req.setpointW}`);
  }
  if (req.dischargeLimitW !== undefined && (!Number.isFinite(req.dischargeLimitW) || req.dischargeLimitW > 0 || req.dischargeLimitW < -MAX_SETPOINT_W)) {
    throw new RangeError(`dischargeLimitW: expected -${MAX_SETPOINT_W}..0 W, found ${req.dischargeLimitW}`);
  }
  if (!Number.isInteger(req.durationS) || req.durationS < 1 || req.durationS > MAX_SETPOINT_DURATION_S) {
    throw new RangeError(`durationS: expected an integer 1-${MAX_SETPOINT_DURATION_S}, found ${req.durationS}`);
  }
}
