/**
 * A simulated charging station speaking OCPP 1.6J, 2.0.1 or 2.1 over a real WebSocket, built on
 * ocpp-rpc's RPCClient in strict mode (what it sends is validated against the official schemas).
 * It boots, sends heartbeats and status notifications, runs transactions with periodic meter
 * values for simple EV battery models, and obeys the CSMS's charging profiles. Every timer goes
 * through the injected Clock, so tests and time-compressed benchmarks can drive it with a FakeClock.
 */
import ocppRpc from 'ocpp-rpc';
import type { ChargingProfile, RateUnit } from '../energy/charging-profile.js';
import { perPhase, type PerPhase, type Phase, PHASES } from '../energy/phases.js';
import type { OcppVersion } from '../ocpp/versions.js';
import { subprotocolOf } from '../ocpp/versions.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ChargerCore, Dialect, HandleFn, TransactionTrigger, TriggerableMessage } from './dialect.js';
import { createDialect16 } from './dialect-16.js';
import { createDialect2x } from './dialect-2x.js';
import { EvModel, type EvSpec } from './ev-model.js';
import { compositeSchedule, effectiveLimitA, type ProfileEvalContext } from './profile-eval.js';
import { clearProfiles, dropTxProfiles, installProfile, type ClearCriteria } from './profile-store.js';
import { strictModeValidators } from './rpc-validators.js';
import { SimEvse, type ChargingState, type PendingStart, type SimTransaction, type StopReason } from './sim-evse.js';
import type { SimSettings } from './sim-settings.js';
import type { BootResponse } from './wire-16.js';

/** What describes one simulated station, apart from where it connects and its clock and logger. */
export interface SimChargerConfig {
  /** Station identity: the last path segment of the URL, and the Basic-auth user. */
  identity: string;
  version: OcppVersion;
  /** Basic-auth password (security profile 1 or 2). */
  password?: string;
  /** Number of EVSEs (1.6: connectors), each with one connector. Default 1. */
  evseCount?: number;
  /** Phases each EVSE is wired with. Default 3. */
  phases?: 1 | 3;
  /** Grid phase of each EVSE phase, in order. Default L1, L2, L3. */
  phaseRotation?: Phase[];
  /** Highest current per phase each EVSE offers, A. Default 32. */
  maxCurrentA?: number;
  /** Nominal phase voltage, V. Default 230. */
  voltageV?: number;
  /** Meter-value sample interval during a transaction, s. Default 60. */
  meterIntervalS?: number;
  /** Heartbeat interval until the CSMS sets one at boot, s. Default 300. */
  heartbeatIntervalS?: number;
  /** Wait before retrying a boot when the CSMS gives no interval, s. Default 30. */
  bootRetryS?: number;
  vendor?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  /** 2.x id-token type of the tags the station reads. Default ISO14443. */
  idTokenType?: string;
  /** TLS (wss://): trusted CA, and client certificate and key for security profile 3. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Timeout of a CALL to the CSMS, ms (transport time, not simulated time). Default 30000. */
  callTimeoutMs?: number;
  /** WebSocket ping interval, ms (transport time); 0 = off. Default 0. */
  pingIntervalMs?: number;
  /**
   * Rate units accepted in charging schedules, as a real charger reports them (1.6
   * ChargingScheduleAllowedChargingRateUnit, 2.x SmartChargingCtrlr.RateUnit); a profile in another
   * unit is Rejected. Default both. ['W'] simulates a W-only charger.
   */
  rateUnits?: ('A' | 'W')[];
  /** Highest stack level accepted (ChargeProfileMaxStackLevel / ProfileStackLevel); above it: Rejected. Default 10. */
  maxStackLevel?: number;
}

export interface SimChargerOptions extends SimChargerConfig {
  /** CSMS URL without the identity, e.g. ws://localhost:9000/ocpp. */
  endpoint: string;
  clock: Clock;
  log: Logger;
}

export interface SimEvseState {
  evseId: number;
  /** Status as last sent on the wire (1.6 or 2.x vocabulary). */
  status: string | undefined;
  chargingState: ChargingState;
  evPlugged: boolean;
  operative: boolean;
  /** Current offered to the EV per phase, A (0 outside a transaction). */
  offeredCurrentA: number;
  /** Current the EV draws per phase, A. */
  drawnCurrentA: number;
  phasesInUse: number;
  /** Energy register of the EVSE meter, Wh. */
  energyWh: number;
  socPct?: number;
  transactionId?: string;
  idTag?: string;
  /** The installed profiles that concern this EVSE (its own and the station-wide ones). */
  profiles: ChargingProfile[];
  /** `csms:profile <id>` when a profile limits the offered current, else `evse:max`. */
  limitSource: string;
}

export interface SimChargerState {
  identity: string;
  version: OcppVersion;
  connected: boolean;
  bootStatus: BootResponse['status'] | undefined;
  heartbeatIntervalS: number;
  meterIntervalS: number;
  evses: SimEvseState[];
}

type RpcClient = InstanceType<typeof ocppRpc.RPCClient>;

export class SimCharger {
  readonly identity: string;
  readonly version: OcppVersion;
  private readonly opts: SimChargerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly dialect: Dialect;
  private readonly evses: SimEvse[];
  private readonly settings: SimSettings;
  private readonly rotation: Phase[];
  private readonly core: ChargerCore;
  private client: RpcClient | undefined;
  private profiles: ChargingProfile[] = [];
  private bootStatus: BootResponse['status'] | undefined;
  private connected = false;
  private stopped = false;
  private readonly timers = new Set<TimerHandle>();
  private heartbeatTimer: TimerHandle | undefined;
  private readonly meterTimers = new Map<number, TimerHandle>();
  private readonly wakers = new Set<() => void>();
  private readonly listeners = new Set<(state: SimChargerState) => void>();
  /** Calls to the CSMS awaiting their answer, plus work queued to run after a reply. */
  private underWay = 0;

  constructor(options: SimChargerOptions) {
    this.opts = options;
    this.identity = options.identity;
    this.version = options.version;
    this.clock = options.clock;
    this.log = options.log.child({ station: options.identity });
    const phases = options.phases ?? 3;
    this.rotation = options.phaseRotation ?? PHASES.slice(0, phases);
    const evseCount = options.evseCount ?? 1;
    this.settings = {
      heartbeatIntervalS: options.heartbeatIntervalS ?? 300,
      meterIntervalS: options.meterIntervalS ?? 60,
      evseCount,
      rateUnits: options.rateUnits ?? ['A', 'W'],
      maxStackLevel: options.maxStackLevel ?? 10,
    };
    this.evses = Array.from(
      { length: evseCount },
      (_, i) =>
        new SimEvse({
          evseId: i + 1,
          phases,
          maxCurrentA: options.maxCurrentA ?? 32,
          voltageV: options.voltageV ?? 230,
          nowMs: options.clock.nowMs(),
        }),
    );
    const station = {
      vendor: options.vendor ?? 'Switchyard',
      model: options.model ?? 'SimEVSE',
      serialNumber: options.serialNumber,
      firmwareVersion: options.firmwareVersion ?? 'sim-1.0',
    };
    this.dialect =
      options.version === '1.6' ? createDialect16(station) : createDialect2x({ ...station, idTokenType: options.idTokenType });
    this.core = this.createCore();
  }

  /** Connects, boots (retrying while Pending or Rejected) and reports every connector's status. */
  async start(): Promise<void> {
    this.stopped = false;
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
    const handle: HandleFn = (method, fn) => {
      client.handle(method, async ({ params }) => {
        this.log.debug({ action: method }, 'call from CSMS');
        return fn(params as Parameters<typeof fn>[0]);
      });
    };
    this.dialect.registerHandlers(this.core, handle);
    client.on('open', () => this.onOpen());
    client.on('close', () => (this.connected = false));
    client.on('disconnect', () => (this.connected = false));
    client.on('strictValidationFailure', (e: { method?: string; outbound?: boolean; error?: Error }) =>
      this.log.warn({ action: e.method, outbound: e.outbound, err: e.error?.message }, 'schema validation failed'),
    );
    await client.connect();
    this.connected = true;
    await this.bootLoop(false);
  }

  /** Stops every timer and closes the connection; running transactions are left open. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.meterTimers.clear();
    for (const wake of this.wakers) wake();
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (client) await client.close({ code: 1000, reason: 'simulator stopped' });
  }

  /** An EV plugs in; a pending authorization starts its transaction. */
  async plugIn(evseId: number, ev: EvSpec): Promise<void> {
    const evse = this.need(evseId);
    if (evse.ev) throw new Error(`EVSE ${evseId} of ${this.identity} already has an EV plugged in`);
    this.settle(evse);
    evse.ev = new EvModel(ev);
    evse.finishing = false;
    await this.evaluate(evse);
    const pending = evse.pendingStart;
    if (pending) await this.startTx(evse, pending, pending.remote ? 'RemoteStart' : 'Authorized');
  }

  /**
   * Presents an id tag. When the CSMS accepts it, a transaction starts at once if an EV is plugged
   * in, or when one plugs in. Returns the authorization status.
   */
  async authorize(evseId: number, idTag: string): Promise<string> {
    const evse = this.need(evseId);
    const status = await this.dialect.authorize(this.core, idTag);
    if (status !== 'Accepted' || evse.tx) return status;
    if (evse.ev) await this.startTx(evse, { idTag }, 'Authorized');
    else evse.pendingStart = { idTag };
    return status;
  }

  /** Ends the EVSE's transaction locally; the EV stays plugged in. */
  async stopTransaction(evseId: number, reason: StopReason = 'Local'): Promise<void> {
    await this.stopTx(this.need(evseId), reason);
  }

  /** The EV leaves: its transaction ends (EVDisconnected) and the connector becomes available. */
  async unplug(evseId: number): Promise<void> {
    const evse = this.need(evseId);
    this.settle(evse);
    evse.ev = undefined;
    evse.pendingStart = undefined;
    evse.finishing = false;
    if (evse.tx) await this.stopTx(evse, 'EVDisconnected');
    else await this.evaluate(evse);
  }

  state(): SimChargerState {
    return {
      identity: this.identity,
      version: this.version,
      connected: this.connected,
      bootStatus: this.bootStatus,
      heartbeatIntervalS: this.settings.heartbeatIntervalS,
      meterIntervalS: this.settings.meterIntervalS,
      evses: this.evses.map((e) => this.evseState(e)),
    };
  }

  /**
   * True while a call of this station awaits the CSMS's answer, or work it queued after
   * answering the CSMS has not finished: a simulation moves its clock on only once every
   * station is idle, so a message lands at the same simulated instant on any machine.
   */
  busy(): boolean {
    return this.underWay > 0;
  }

  /** Called after every change of state; returns an unsubscribe function. */
  onChange(listener: (state: SimChargerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Current drawn from the grid by all EVSEs now, per grid phase, A. */
  drawnCurrentA(): PerPhase {
    const total = perPhase(0);
    for (const evse of this.evses) {
      this.settle(evse);
      for (const phase of this.rotation.slice(0, evse.phasesInUse())) total[phase] += evse.drawnCurrentA;
    }
    return total;
  }

  private evseState(e: SimEvse): SimEvseState {
    this.settle(e);
    return {
      evseId: e.evseId,
      status: e.reportedStatus,
      chargingState: e.chargingState(),
      evPlugged: e.ev !== undefined,
      operative: e.operative,
      offeredCurrentA: e.offeredCurrentA,
      drawnCurrentA: e.drawnCurrentA,
      phasesInUse: e.phasesInUse(),
      energyWh: e.energyRegisterWh,
      socPct: e.ev?.socPct,
      transactionId: e.tx?.id,
      idTag: e.tx?.idTag,
      profiles: this.profiles.filter((p) => p.evseId === 0 || p.evseId === e.evseId),
      limitSource: this.limitAt(e, this.clock.nowMs())?.source ?? 'evse:max',
    };
  }

  private need(evseId: number): SimEvse {
    const evse = this.evses[evseId - 1];
    if (!evse) throw new Error(`${this.identity} has no EVSE ${evseId}`);
    return evse;
  }

  // ---- connection, boot, heartbeat ----

  private onOpen(): void {
    const reconnected = !this.connected && this.bootStatus === 'Accepted';
    this.connected = true;
    if (!reconnected) return;
    this.log.info('reconnected');
    for (const evse of this.evses) evse.reportedStatus = undefined;
    void this.reportAllStatuses();
  }

  private async bootLoop(reboot: boolean): Promise<void> {
    this.bootStatus = undefined;
    while (!this.stopped) {
      let res: BootResponse | undefined;
      try {
        res = (await this.callRaw('BootNotification', this.dialect.bootRequest(reboot))) as BootResponse;
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'BootNotification failed');
      }
      if (this.stopped) return;
      this.bootStatus = res?.status;
      this.notify();
      if (res?.status === 'Accepted') {
        if (res.interval > 0) this.settings.heartbeatIntervalS = res.interval;
        this.log.info({ heartbeatIntervalS: this.settings.heartbeatIntervalS }, 'boot accepted');
        this.scheduleHeartbeat();
        await this.reportAllStatuses();
        return;
      }
      const waitS = res && res.interval > 0 ? res.interval : (this.opts.bootRetryS ?? 30);
      this.log.info({ status: res?.status, retryInS: waitS }, 'boot not accepted yet');
      await this.sleep(waitS * 1000);
    }
  }

  private async reportAllStatuses(): Promise<void> {
    const nowMs = this.clock.nowMs();
    const station = this.dialect.stationStatusRequests(nowMs).map((req) => this.send('StatusNotification', req));
    await Promise.all([...station, ...this.evses.map((e) => this.evaluate(e))]);
  }

  private scheduleHeartbeat(): void {
    this.clearTimer(this.heartbeatTimer);
    this.heartbeatTimer = this.after(this.settings.heartbeatIntervalS * 1000, () => {
      this.heartbeatTimer = undefined;
      void this.send('Heartbeat', {});
      if (this.dialect.heartbeatWhenBusy) this.scheduleHeartbeat();
    });
  }

  private async call(method: string, params: object): Promise<Record<string, unknown>> {
    const res = await this.callRaw(method, params);
    return typeof res === 'object' && res !== null ? { ...res } : {};
  }

  private async callRaw(method: string, params: object): Promise<unknown> {
    const client = this.client;
    if (!client || this.stopped) throw new Error(`${this.identity} is not running`);
    if (!this.dialect.heartbeatWhenBusy && this.bootStatus === 'Accepted') this.scheduleHeartbeat();
    this.log.debug({ action: method }, 'call to CSMS');
    this.underWay++;
    try {
      return await client.call(method, params);
    } finally {
      this.underWay--;
    }
  }

  /** A call whose failure is logged, not thrown (status notifications, heartbeats, meter values). */
  private async send(method: string, params: object): Promise<void> {
    await this.guard(this.call(method, params), method);
  }

  private async guard(p: Promise<unknown>, what = 'call'): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!this.stopped) this.log.warn({ action: what, err: errorMessage(err) }, 'call to CSMS failed');
    }
  }

  // ---- timers (all through the injected clock) ----

  private after(delayMs: number, fn: () => void): TimerHandle {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (!this.stopped) fn();
    }, delayMs);
    this.timers.add(handle);
    return handle;
  }

  private clearTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.clock.clearTimeout(handle);
    this.timers.delete(handle);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
      this.after(ms, wake);
    });
  }

  /** Runs fn once the answer to the CSMS's current CALL has gone out (ordering, not timing). */
  private afterReply(fn: () => Promise<void>): void {
    this.underWay++;
    setImmediate(() => void this.guard(fn(), 'after reply').finally(() => this.underWay--));
  }

  // ---- physics and status ----

  private limitAt(evse: SimEvse, tMs: number): { limitA: number; source: string } | undefined {
    return effectiveLimitA(this.profiles, tMs, this.evalContext(evse));
  }

  private evalContext(evse: SimEvse): ProfileEvalContext {
    return {
      evseId: evse.evseId,
      nowMs: this.clock.nowMs(),
      transactionId: evse.tx?.id,
      txStartMs: evse.tx?.startedMs,
      voltageV: evse.voltageV,
      phases: evse.phasesInUse(),
    };
  }

  private offeredAt(evse: SimEvse, tMs: number): number {
    const limitA = this.limitAt(evse, tMs)?.limitA ?? evse.maxCurrentA;
    return Math.max(0, Math.min(evse.maxCurrentA, limitA));
  }

  private settle(evse: SimEvse): void {
    evse.advance(this.clock.nowMs(), (t) => this.offeredAt(evse, t));
  }

  /** Brings the EVSE up to now and tells the CSMS about any change of status or charging state. */
  private async evaluate(evse: SimEvse): Promise<void> {
    this.settle(evse);
    const sends: Promise<void>[] = [];
    if (this.bootStatus === 'Accepted' && this.connected) {
      const status = this.dialect.wireStatus(evse);
      if (status !== evse.reportedStatus) {
        evse.reportedStatus = status;
        sends.push(this.send('StatusNotification', this.dialect.statusRequest(evse, status, this.clock.nowMs())));
      }
      const cs = evse.chargingState();
      if (evse.tx && !evse.starting && !evse.stopping && cs !== evse.reportedChargingState) {
        evse.reportedChargingState = cs;
        sends.push(this.guard(this.dialect.chargingStateChanged(this.core, evse), 'TransactionEvent'));
      }
    }
    this.notify();
    await Promise.all(sends);
  }

  private notify(): void {
    if (this.listeners.size === 0) return;
    const state = this.state();
    for (const l of this.listeners) l(state);
  }

  // ---- transactions ----

  private async startTx(evse: SimEvse, start: PendingStart, trigger: TransactionTrigger): Promise<boolean> {
    if (evse.tx || evse.starting || !evse.ev || !evse.operative) return false;
    evse.starting = true;
    evse.pendingStart = undefined;
    evse.finishing = false;
    let accepted: boolean;
    try {
      accepted = await this.dialect.startTransaction(this.core, evse, start, trigger);
    } finally {
      evse.starting = false;
    }
    const tx = txOf(evse); // set by the dialect while we awaited
    if (!tx) return false;
    this.log.info({ evseId: evse.evseId, transactionId: tx.id, idTag: start.idTag }, 'transaction started');
    evse.reportedChargingState = 'EVConnected';
    if (start.profile) {
      this.profiles = installProfile(this.profiles, { ...start.profile, evseId: evse.evseId, transactionId: tx.id });
    }
    if (!accepted) {
      await this.stopTx(evse, 'DeAuthorized');
      return false;
    }
    this.scheduleMeter(evse);
    await this.evaluate(evse);
    return true;
  }

  private async stopTx(evse: SimEvse, reason: StopReason): Promise<void> {
    const tx = evse.tx;
    if (!tx || evse.stopping) return;
    evse.stopping = true;
    this.clearTimer(this.meterTimers.get(evse.evseId));
    this.meterTimers.delete(evse.evseId);
    try {
      await this.guard(this.dialect.stopTransaction(this.core, evse, reason), 'stop transaction');
    } finally {
      evse.stopping = false;
    }
    this.settle(evse);
    evse.tx = undefined;
    evse.reportedChargingState = undefined;
    evse.finishing = evse.ev !== undefined;
    this.profiles = dropTxProfiles(this.profiles, evse.evseId);
    if (evse.inoperativeScheduled) {
      evse.inoperativeScheduled = false;
      evse.operative = false;
    }
    this.log.info({ evseId: evse.evseId, transactionId: tx.id, reason }, 'transaction ended');
    await this.evaluate(evse);
  }

  private scheduleMeter(evse: SimEvse): void {
    this.clearTimer(this.meterTimers.get(evse.evseId));
    const handle = this.after(this.settings.meterIntervalS * 1000, () => {
      this.meterTimers.delete(evse.evseId);
      if (!evse.tx || evse.stopping) return;
      this.scheduleMeter(evse);
      void this.guard(this.dialect.meterValues(this.core, evse, false), 'meter values').then(() => this.evaluate(evse));
    });
    this.meterTimers.set(evse.evseId, handle);
  }

  // ---- what the dialects may ask of the station ----

  private createCore(): ChargerCore {
    return {
      identity: this.identity,
      clock: this.clock,
      log: this.log,
      evses: this.evses,
      settings: this.settings,
      isBootAccepted: () => this.bootStatus === 'Accepted',
      call: (method, params) => this.call(method, params),
      evse: (evseId) => this.evses[evseId - 1],
      settle: (evse) => this.settle(evse),
      installProfile: (profile) => this.installProfileNow(profile),
      clearProfiles: (criteria) => this.clearProfilesNow(criteria),
      composite: (evseId, durationS, rateUnit) => this.composite(evseId, durationS, rateUnit),
      remoteStart: (evseId, start) => this.remoteStart(evseId, start),
      remoteStop: (transactionId) => this.remoteStop(transactionId),
      reset: (hard) => this.reset(hard),
      changeAvailability: (evseId, operative) => this.changeAvailability(evseId, operative),
      trigger: (message, evseId) => this.trigger(message, evseId),
    };
  }

  /** Applies a change of profiles: physics up to now under the old ones, then re-evaluate. */
  private changeProfiles(change: () => void): void {
    for (const e of this.evses) this.settle(e);
    change();
    for (const e of this.evses) this.settle(e);
    this.notify();
    this.afterReply(async () => {
      await Promise.all(this.evses.map((e) => this.evaluate(e)));
    });
  }

  private installProfileNow(profile: ChargingProfile): 'Accepted' | 'Rejected' {
    const unitRefused = profile.schedules.find((sc) => !this.settings.rateUnits.includes(sc.rateUnit));
    if (unitRefused || profile.stackLevel > this.settings.maxStackLevel) {
      this.log.info({ profileId: profile.id, stackLevel: profile.stackLevel, rateUnit: unitRefused?.rateUnit }, 'charging profile refused (rate unit or stack level not supported)');
      return 'Rejected';
    }
    if (profile.purpose === 'TxProfile') {
      const tx = this.evses[profile.evseId - 1]?.tx;
      if (!tx || (profile.transactionId !== undefined && profile.transactionId !== tx.id)) return 'Rejected';
    }
    this.changeProfiles(() => (this.profiles = installProfile(this.profiles, profile)));
    this.log.info({ profileId: profile.id, evseId: profile.evseId, purpose: profile.purpose }, 'charging profile installed');
    return 'Accepted';
  }

  private clearProfilesNow(criteria: ClearCriteria): number {
    let removed = 0;
    this.changeProfiles(() => {
      const r = clearProfiles(this.profiles, criteria);
      this.profiles = r.profiles;
      removed = r.removed;
    });
    return removed;
  }

  private composite(evseId: number, durationS: number, rateUnit: RateUnit) {
    const nowMs = this.clock.nowMs();
    if (evseId === 0) {
      const first = this.evses[0];
      if (!first) return undefined;
      const ctx: ProfileEvalContext = { evseId: 0, nowMs, voltageV: first.voltageV, phases: first.phases };
      return { startMs: nowMs, periods: compositeSchedule(this.profiles, ctx, durationS, rateUnit, first.maxCurrentA) };
    }
    const evse = this.evses[evseId - 1];
    if (!evse) return undefined;
    return { startMs: nowMs, periods: compositeSchedule(this.profiles, this.evalContext(evse), durationS, rateUnit, evse.maxCurrentA) };
  }

  private remoteStart(evseId: number | undefined, start: PendingStart): boolean {
    const free = (e: SimEvse): boolean => !e.tx && !e.starting && e.operative;
    const evse =
      evseId !== undefined && evseId > 0
        ? this.evses[evseId - 1]
        : (this.evses.find((e) => free(e) && e.ev !== undefined) ?? this.evses.find(free));
    if (!evse || !free(evse)) return false;
    const remote: PendingStart = { ...start, remote: true };
    if (evse.ev) this.afterReply(async () => void (await this.startTx(evse, remote, 'RemoteStart')));
    else evse.pendingStart = remote;
    return true;
  }

  private remoteStop(transactionId: string): boolean {
    const evse = this.evses.find((e) => e.tx?.id === transactionId);
    if (!evse) return false;
    this.afterReply(() => this.stopTx(evse, 'Remote'));
    return true;
  }

  private reset(hard: boolean): void {
    this.afterReply(async () => {
      const client = this.client;
      if (!client) return;
      this.log.info({ hard }, 'resetting');
      await Promise.all(this.evses.map((e) => this.stopTx(e, hard ? 'HardReset' : 'SoftReset')));
      for (const t of this.timers) this.clock.clearTimeout(t);
      this.timers.clear();
      this.meterTimers.clear();
      this.heartbeatTimer = undefined;
      this.bootStatus = undefined;
      for (const e of this.evses) e.reportedStatus = undefined;
      this.connected = false;
      await client.close({ code: 1000, reason: 'reset' });
      if (this.stopped) return;
      await client.connect();
      this.connected = true;
      await this.bootLoop(true);
    });
  }

  private changeAvailability(evseId: number, operative: boolean): 'Accepted' | 'Scheduled' | 'Rejected' {
    const targets = evseId === 0 ? this.evses : this.evses.filter((e) => e.evseId === evseId);
    if (targets.length === 0) return 'Rejected';
    let scheduled = false;
    for (const e of targets) {
      this.settle(e);
      if (operative) {
        e.operative = true;
        e.inoperativeScheduled = false;
      } else if (e.tx) {
        e.inoperativeScheduled = true;
        scheduled = true;
      } else {
        e.operative = false;
      }
    }
    this.afterReply(async () => void (await Promise.all(targets.map((e) => this.evaluate(e)))));
    return scheduled ? 'Scheduled' : 'Accepted';
  }

  private trigger(message: TriggerableMessage, evseId: number | undefined): boolean {
    const targets = evseId === undefined || evseId === 0 ? this.evses : this.evses.filter((e) => e.evseId === evseId);
    if (targets.length === 0) return false;
    const nowMs = this.clock.nowMs();
    this.afterReply(async () => {
      switch (message) {
        case 'BootNotification':
          await this.send('BootNotification', this.dialect.bootRequest(false));
          return;
        case 'Heartbeat':
          await this.send('Heartbeat', {});
          return;
        case 'StatusNotification':
          for (const e of targets) {
            this.settle(e);
            const status = this.dialect.wireStatus(e);
            e.reportedStatus = status;
            await this.send('StatusNotification', this.dialect.statusRequest(e, status, nowMs));
          }
          return;
        case 'MeterValues':
        case 'TransactionEvent':
          for (const e of targets) {
            if (message === 'TransactionEvent' && !e.tx) continue;
            await this.guard(this.dialect.meterValues(this.core, e, true), message);
          }
      }
    });
    return true;
  }
}

function txOf(evse: SimEvse): SimTransaction | undefined {
  return evse.tx;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
