/**
 * A simulated station's connection to the CSMS: the ocpp-rpc client (strict mode), the boot
 * (retried while Pending or Rejected), heartbeats, and the count of calls under way that tells a
 * simulation when the station is idle.
 */
import ocppRpc from 'ocpp-rpc';
import { subprotocolOf, type OcppVersion } from '../ocpp/versions.js';
import type { TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Dialect, HandleFn } from './dialect.js';
import { strictModeValidators } from './rpc-validators.js';
import type { SimChargerOptions } from './sim-charger-config.js';
import type { SimSettings } from './sim-settings.js';
import type { SimTimers } from './sim-timers.js';
import type { BootResponse } from './wire-16.js';

type RpcClient = InstanceType<typeof ocppRpc.RPCClient>;

export interface SimLinkDeps {
  options: SimChargerOptions;
  log: Logger;
  dialect: Dialect;
  settings: SimSettings;
  timers: SimTimers;
  /** True once the station has been stopped. */
  isStopped(): boolean;
  /** The boot status changed. */
  onBootStatus(): void;
  /** The link came back after a drop while booted: the CSMS must hear every status again. */
  onReconnected(): void;
  /** Boot accepted: report the station's and every EVSE's status. */
  reportAllStatuses(): Promise<void>;
}

export class SimLink {
  private readonly identity: string;
  private readonly version: OcppVersion;
  private readonly opts: SimChargerOptions;
  private readonly log: Logger;
  private readonly dialect: Dialect;
  private readonly settings: SimSettings;
  private readonly timers: SimTimers;
  private readonly deps: SimLinkDeps;
  private client: RpcClient | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  /** Calls to the CSMS awaiting their answer, plus work queued to run after a reply. */
  private underWay = 0;
  private up = false;
  private boot: BootResponse['status'] | undefined;

  constructor(deps: SimLinkDeps) {
    this.deps = deps;
    this.opts = deps.options;
    this.identity = deps.options.identity;
    this.version = deps.options.version;
    this.log = deps.log;
    this.dialect = deps.dialect;
    this.settings = deps.settings;
    this.timers = deps.timers;
  }

  /** The WebSocket is open. */
  get connected(): boolean {
    return this.up;
  }

  /** The answer to the last BootNotification (undefined before it and after a reset). */
  get bootStatus(): BootResponse['status'] | undefined {
    return this.boot;
  }

  /** Connects and boots; `register` registers the handlers of the CSMS's calls. */
  async open(register: (handle: HandleFn) => void): Promise<void> {
    const client = new ocppRpc.RPCClient({
      identity: this.identity,
      endpoint: this.opts.endpoint,
      protocols: [subprotocolOf(this.version)],
      strictMode: true,
      strictModeValidators: strictModeValidators(),
      password: this.opts.password ?? null,
      reconnect: true,
      maxReconnects: Infinity,
      callTimeoutMs: this.opts.callTimeoutMs ?? 30_000,
      pingIntervalMs: this.opts.pingIntervalMs ?? 0,
      deferPingsOnActivity: true,
      respondWithDetailedErrors: true,
      callConcurrency: 1,
      maxBadMessages: Infinity,
      wsOpts: { ca: this.opts.ca, cert: this.opts.cert, key: this.opts.key },
      headers: {},
      backoff: { initialDelay: 1000, maxDelay: 10_000, factor: 2, randomisationFactor: 0.25 },
    });
    this.client = client;
    register((method, fn) => {
      client.handle(method, async ({ params }) => {
        this.log.debug({ action: method }, 'call from CSMS');
        return fn(params as Parameters<typeof fn>[0]);
      });
    });
    client.on('open', () => this.onOpen());
    client.on('close', () => (this.up = false));
    client.on('disconnect', () => (this.up = false));
    client.on('strictValidationFailure', (e: { method?: string; outbound?: boolean; error?: Error }) =>
      this.log.warn({ action: e.method, outbound: e.outbound, err: e.error?.message }, 'schema validation failed'),
    );
    await client.connect();
    this.up = true;
    await this.bootLoop(false);
  }

  /** Closes the connection (the station's timers are the caller's to cancel first). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.up = false;
    if (client) await client.close({ code: 1000, reason: 'simulator stopped' });
  }

  /**
   * Reset: runs `shutDown` (end transactions, cancel timers), drops the connection and boots
   * again on a new one, unless the station is stopped meanwhile.
   */
  async reboot(shutDown: () => Promise<void>): Promise<void> {
    const client = this.client;
    if (!client) return;
    await shutDown();
    this.heartbeatTimer = undefined;
    this.boot = undefined;
    this.up = false;
    await client.close({ code: 1000, reason: 'reset' });
    if (this.deps.isStopped()) return;
    await client.connect();
    this.up = true;
    await this.bootLoop(true);
  }

  /**
   * True while a call of this station awaits the CSMS's answer, or work it queued after
   * answering the CSMS has not finished.
   */
  busy(): boolean {
    return this.underWay > 0;
  }

  /** Sends a CALL; rejects when the CSMS answers with a CALLERROR or the link is down. */
  async call(method: string, params: object): Promise<Record<string, unknown>> {
    const res = await this.callRaw(method, params);
    return typeof res === 'object' && res !== null ? { ...res } : {};
  }

  /** A call whose failure is logged, not thrown (status notifications, heartbeats, meter values). */
  async send(method: string, params: object): Promise<void> {
    await this.guard(this.call(method, params), method);
  }

  /** Awaits p; a failure is logged (unless the station is stopped), not thrown. */
  async guard(p: Promise<unknown>, what = 'call'): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!this.deps.isStopped()) this.log.warn({ action: what, err: errorMessage(err) }, 'call to CSMS failed');
    }
  }

  /** Runs fn once the answer to the CSMS's current CALL has gone out (ordering, not timing). */
  afterReply(fn: () => Promise<void>): void {
    this.underWay++;
    setImmediate(() => void this.guard(fn(), 'after reply').finally(() => this.underWay--));
  }

  private onOpen(): void {
    const reconnected = !this.up && this.boot === 'Accepted';
    this.up = true;
    if (!reconnected) return;
    this.log.info('reconnected');
    this.deps.onReconnected();
  }

  private async bootLoop(reboot: boolean): Promise<void> {
    this.boot = undefined;
    while (!this.deps.isStopped()) {
      let res: BootResponse | undefined;
      try {
        res = (await this.callRaw('BootNotification', this.dialect.bootRequest(reboot))) as BootResponse;
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'BootNotification failed');
      }
      if (this.deps.isStopped()) return;
      this.boot = res?.status;
      this.deps.onBootStatus();
      if (res?.status === 'Accepted') {
        if (res.interval > 0) this.settings.heartbeatIntervalS = res.interval;
        this.log.info({ heartbeatIntervalS: this.settings.heartbeatIntervalS }, 'boot accepted');
        this.scheduleHeartbeat();
        await this.deps.reportAllStatuses();
        return;
      }
      const waitS = res && res.interval > 0 ? res.interval : (this.opts.bootRetryS ?? 30);
      this.log.info({ status: res?.status, retryInS: waitS }, 'boot not accepted yet');
      await this.timers.sleep(waitS * 1000);
    }
  }

  private scheduleHeartbeat(): void {
    this.timers.clear(this.heartbeatTimer);
    this.heartbeatTimer = this.timers.after(this.settings.heartbeatIntervalS * 1000, () => {
      this.heartbeatTimer = undefined;
      void this.send('Heartbeat', {});
      if (this.dialect.heartbeatWhenBusy) this.scheduleHeartbeat();
    });
  }

  private async callRaw(method: string, params: object): Promise<unknown> {
    const client = this.client;
    if (!client || this.deps.isStopped()) throw new Error(`${this.identity} is not running`);
    if (!this.dialect.heartbeatWhenBusy && this.boot === 'Accepted') this.scheduleHeartbeat();
    this.log.debug({ action: method }, 'call to CSMS');
    this.underWay++;
    try {
      return await client.call(method, params);
    } finally {
      this.underWay--;
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
