import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { UpstreamUnavailableError, type LinkState, type UpstreamLink } from '../upstream-link.js';
import type { PumpLink } from '../outbox-pump.js';
import type { SiteBootStatus } from '../upstream.js';
import { bootOutcome, heartbeatDue, hubBootNotification, nextHeartbeatAtMs, type BootReason, type HubIdentityInfo } from '../hub-mode/boot.js';
import { numberField, stringField } from '../wire-fields.js';

export interface SiteBootDeps {
  link: UpstreamLink;
  clock: Clock;
  log: Logger;
  info: HubIdentityInfo;
  /** Heartbeat interval when the CSMS leaves it to the hub (interval 0), s. */
  defaultHeartbeatIntervalS: number;
  /** Wait before booting again after a boot got no answer, ms. */
  retryDelayMs: number;
}

/**
 * The site's own presence at the CSMS in hub mode: it boots ONCE for the whole site when the
 * link first comes up (again when the CSMS asks by TriggerMessage, or while Pending/Rejected),
 * and sends ONE heartbeat for the site, only after a whole interval without traffic.
 *
 * It is also the gate the outbox pump sees as its link: "connected" only once the link is up
 * AND the boot was accepted, since nothing but the boot may be sent before that.
 */
export class SiteBoot implements PumpLink {
  private status: SiteBootStatus = 'NotSent';
  private booting = false;
  private intervalS: number;
  private lastTrafficMs: number;
  private bootTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private stopped = false;
  private holds = 0;
  private readonly held: Array<() => void> = [];
  private readonly events = new EventEmitter();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: SiteBootDeps) {
    this.intervalS = deps.defaultHeartbeatIntervalS;
    this.lastTrafficMs = deps.clock.nowMs();
    this.unsubscribe = deps.link.onState((state, previous) => {
      if (state === 'connected') this.linkUp();
      else if (previous === 'connected') {
        this.deps.clock.clearTimeout(this.heartbeatTimer);
        this.deps.clock.clearTimeout(this.bootTimer);
        if (this.status === 'Accepted') this.emit(state, 'connected');
      }
    });
  }

  get bootStatus(): SiteBootStatus {
    return this.status;
  }

  get heartbeatIntervalS(): number {
    return this.intervalS;
  }

  /** connected only when the link is up and the site's boot was accepted. */
  get state(): LinkState {
    const s = this.deps.link.state;
    return s === 'connected' && this.status !== 'Accepted' ? 'connecting' : s;
  }

  onState(listener: (state: LinkState, previous: LinkState) => void): () => void {
    this.events.on('state', listener);
    return () => this.events.off('state', listener);
  }

  /**
   * Holds every call to the CSMS (outbox, live messages, notifications) until `release` is
   * called: the hub is answering a CSMS call whose answer must reach the CSMS first (a
   * TriggerMessage's CALLRESULT before the triggered message). Holds nest.
   */
  hold(): () => void {
    let held = true;
    this.holds++;
    return () => {
      if (!held) return;
      held = false;
      this.holds--;
      if (this.holds === 0) for (const resume of this.held.splice(0)) resume();
    };
  }

  /** A call to the CSMS once the site is accepted; fails fast before. */
  async call(action: string, payload: unknown): Promise<unknown> {
    if (this.holds > 0) await new Promise<void>((resume) => this.held.push(resume));
    if (this.state !== 'connected') throw new UpstreamUnavailableError(this.deps.link.name, action, this.state);
    const result = await this.deps.link.call(action, payload);
    this.touch();
    return result;
  }

  /** Traffic on the link proves it alive: the heartbeat waits a whole interval from now. */
  touch(): void {
    this.lastTrafficMs = this.deps.clock.nowMs();
  }

  /** A new heartbeat interval (the CSMS's SetVariables), s. */
  setHeartbeatInterval(intervalS: number): void {
    this.intervalS = intervalS;
    this.armHeartbeat();
  }

  /** The CSMS asked by TriggerMessage. */
  trigger(what: 'BootNotification' | 'Heartbeat'): void {
    if (what === 'BootNotification') void this.boot('Triggered');
    else void this.heartbeat();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.deps.clock.clearTimeout(this.bootTimer);
    this.deps.clock.clearTimeout(this.heartbeatTimer);
  }

  private linkUp(): void {
    this.touch();
    if (this.status === 'Accepted') {
      this.emit('connected', 'connecting');
      this.armHeartbeat();
    } else void this.boot('PowerUp');
  }

  private async boot(reason: BootReason): Promise<void> {
    if (this.booting || this.stopped || this.deps.link.state !== 'connected') return;
    this.booting = true;
    this.deps.clock.clearTimeout(this.bootTimer);
    let retryMs = this.deps.retryDelayMs;
    try {
      const conf = await this.deps.link.call('BootNotification', hubBootNotification(this.deps.info, reason));
      this.touch();
      const outcome = bootOutcome({ status: stringField(conf, 'status') ?? 'Rejected', interval: numberField(conf, 'interval') ?? 0 }, this.deps.defaultHeartbeatIntervalS);
      const before = this.status;
      this.status = outcome.status;
      this.deps.log.info({ status: outcome.status, reason }, 'site boot answered by the CSMS');
      if (outcome.status === 'Accepted') {
        this.intervalS = outcome.heartbeatIntervalS;
        this.armHeartbeat();
        if (before !== 'Accepted') this.emit('connected', 'connecting');
        return;
      }
      retryMs = outcome.retryAfterS * 1000;
    } catch (err) {
      this.deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'site boot got no answer');
    } finally {
      this.booting = false;
    }
    if (!this.stopped && this.deps.link.state === 'connected') {
      this.bootTimer = this.deps.clock.setTimeout(() => void this.boot(reason === 'Triggered' ? 'Triggered' : 'PowerUp'), retryMs);
    }
  }

  private armHeartbeat(): void {
    this.deps.clock.clearTimeout(this.heartbeatTimer);
    if (this.stopped || this.status !== 'Accepted' || this.deps.link.state !== 'connected' || this.intervalS <= 0) return;
    const activity = { lastTrafficMs: this.lastTrafficMs, heartbeatIntervalS: this.intervalS };
    this.heartbeatTimer = this.deps.clock.setTimeout(() => {
      if (heartbeatDue({ lastTrafficMs: this.lastTrafficMs, heartbeatIntervalS: this.intervalS }, this.deps.clock.nowMs())) void this.heartbeat();
      else this.armHeartbeat();
    }, Math.max(0, nextHeartbeatAtMs(activity) - this.deps.clock.nowMs()));
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.call('Heartbeat', {});
    } catch (err) {
      // Try again a whole interval later, not at once.
      this.touch();
      this.deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'site heartbeat got no answer');
    }
    this.armHeartbeat();
  }

  private emit(state: LinkState, previous: LinkState): void {
    try {
      this.events.emit('state', state, previous);
    } catch (err) {
      this.deps.log.error({ err }, 'site boot state listener failed');
    }
  }
}
