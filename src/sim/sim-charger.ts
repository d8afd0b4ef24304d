/**
 * A simulated charging station speaking OCPP 1.6J, 2.0.1 or 2.1 over a real WebSocket, built on
 * ocpp-rpc's RPCClient in strict mode (what it sends is validated against the official schemas).
 * It boots, sends heartbeats and status notifications, runs transactions with periodic meter
 * values for simple EV battery models, and obeys the CSMS's charging profiles. Every timer goes
 * through the injected Clock, so tests and time-compressed benchmarks can drive it with a FakeClock.
 *
 * This file holds the station's EVSEs and what its user does to them; its parts: the link to the
 * CSMS (sim-link.ts), timers (sim-timers.ts), charging profiles (sim-profiles.ts), transactions
 * (sim-transactions.ts), the CSMS's commands (sim-csms-commands.ts) and the OCPP dialects.
 */
import { perPhase, type PerPhase, type Phase, PHASES } from '../energy/phases.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ChargerCore, Dialect } from './dialect.js';
import { createDialect16 } from './dialect-16.js';
import { createDialect2x } from './dialect-2x.js';
import { EvModel, type EvSpec } from './ev-model.js';
import type { SimChargerOptions } from './sim-charger-config.js';
import { simEvseState, type SimChargerState, type SimEvseState } from './sim-charger-state.js';
import { SimCsmsCommands } from './sim-csms-commands.js';
import { SimEvse, type StopReason } from './sim-evse.js';
import { SimLink } from './sim-link.js';
import { SimProfiles } from './sim-profiles.js';
import type { SimSettings } from './sim-settings.js';
import { SimTimers } from './sim-timers.js';
import { SimTransactions } from './sim-transactions.js';

export type { SimChargerConfig, SimChargerOptions } from './sim-charger-config.js';
export type { SimChargerState, SimEvseState } from './sim-charger-state.js';

export class SimCharger {
  readonly identity: string;
  readonly version: OcppVersion;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly dialect: Dialect;
  private readonly evses: SimEvse[];
  private readonly settings: SimSettings;
  private readonly rotation: Phase[];
  private readonly timers: SimTimers;
  private readonly link: SimLink;
  private readonly profiles: SimProfiles;
  private readonly core: ChargerCore;
  private readonly transactions: SimTransactions;
  private readonly commands: SimCsmsCommands;
  private stopped = false;
  private readonly listeners = new Set<(state: SimChargerState) => void>();

  constructor(options: SimChargerOptions) {
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
    const { clock, log, settings, evses, dialect } = this;
    const isStopped = (): boolean => this.stopped;
    const settle = (evse: SimEvse): void => this.settle(evse);
    const evaluate = (evse: SimEvse): Promise<void> => this.evaluate(evse);
    this.timers = new SimTimers({ clock, isStopped });
    this.link = new SimLink({
      options,
      log,
      dialect,
      settings,
      timers: this.timers,
      isStopped,
      onBootStatus: () => this.notify(),
      onReconnected: () => {
        for (const evse of this.evses) evse.reportedStatus = undefined;
        void this.reportAllStatuses();
      },
      reportAllStatuses: () => this.reportAllStatuses(),
    });
    this.profiles = new SimProfiles({ clock, log, settings, evses, change: (apply) => this.changeProfiles(apply) });
    this.core = this.createCore();
    const { timers, link, profiles, core } = this;
    this.transactions = new SimTransactions({ log, dialect, core, settings, timers, link, profiles, settle, evaluate });
    const transactions = this.transactions;
    this.commands = new SimCsmsCommands({ clock, log, evses, dialect, core, link, timers, transactions, settle, evaluate });
  }

  /** Connects, boots (retrying while Pending or Rejected) and reports every connector's status. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.link.open((handle) => this.dialect.registerHandlers(this.core, handle));
  }

  /** Stops every timer and closes the connection; running transactions are left open. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.cancelAll();
    this.transactions.forgetMeterTimers();
    this.timers.wakeSleepers();
    await this.link.close();
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
    if (pending) await this.transactions.start(evse, pending, pending.remote ? 'RemoteStart' : 'Authorized');
  }

  /**
   * Presents an id tag. When the CSMS accepts it, a transaction starts at once if an EV is plugged
   * in, or when one plugs in. Returns the authorization status.
   */
  async authorize(evseId: number, idTag: string): Promise<string> {
    const evse = this.need(evseId);
    const status = await this.dialect.authorize(this.core, idTag);
    if (status !== 'Accepted' || evse.tx) return status;
    if (evse.ev) await this.transactions.start(evse, { idTag }, 'Authorized');
    else evse.pendingStart = { idTag };
    return status;
  }

  /** Ends the EVSE's transaction locally; the EV stays plugged in. */
  async stopTransaction(evseId: number, reason: StopReason = 'Local'): Promise<void> {
    await this.transactions.stop(this.need(evseId), reason);
  }

  /** The EV leaves: its transaction ends (EVDisconnected) and the connector becomes available. */
  async unplug(evseId: number): Promise<void> {
    const evse = this.need(evseId);
    this.settle(evse);
    evse.ev = undefined;
    evse.pendingStart = undefined;
    evse.finishing = false;
    if (evse.tx) await this.transactions.stop(evse, 'EVDisconnected');
    else await this.evaluate(evse);
  }

  state(): SimChargerState {
    return {
      identity: this.identity,
      version: this.version,
      connected: this.link.connected,
      bootStatus: this.link.bootStatus,
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
    return this.link.busy();
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
    const limitSource = this.profiles.limitAt(e, this.clock.nowMs())?.source ?? 'evse:max';
    return simEvseState(e, this.profiles.forEvse(e.evseId), limitSource);
  }

  private need(evseId: number): SimEvse {
    const evse = this.evses[evseId - 1];
    if (!evse) throw new Error(`${this.identity} has no EVSE ${evseId}`);
    return evse;
  }

  // ---- physics and status ----

  private settle(evse: SimEvse): void {
    evse.advance(this.clock.nowMs(), (t) => this.profiles.offeredAt(evse, t));
  }

  /** Brings the EVSE up to now and tells the CSMS about any change of status or charging state. */
  private async evaluate(evse: SimEvse): Promise<void> {
    this.settle(evse);
    const sends: Promise<void>[] = [];
    if (this.link.bootStatus === 'Accepted' && this.link.connected) {
      const status = this.dialect.wireStatus(evse);
      if (status !== evse.reportedStatus) {
        evse.reportedStatus = status;
        sends.push(this.link.send('StatusNotification', this.dialect.statusRequest(evse, status, this.clock.nowMs())));
      }
      const cs = evse.chargingState();
      if (evse.tx && !evse.starting && !evse.stopping && cs !== evse.reportedChargingState) {
        evse.reportedChargingState = cs;
        sends.push(this.link.guard(this.dialect.chargingStateChanged(this.core, evse), 'TransactionEvent'));
      }
    }
    this.notify();
    await Promise.all(sends);
  }

  private async reportAllStatuses(): Promise<void> {
    const nowMs = this.clock.nowMs();
    const station = this.dialect.stationStatusRequests(nowMs).map((req) => this.link.send('StatusNotification', req));
    await Promise.all([...station, ...this.evses.map((e) => this.evaluate(e))]);
  }

  private notify(): void {
    if (this.listeners.size === 0) return;
    const state = this.state();
    for (const l of this.listeners) l(state);
  }

  /** Applies a change of profiles: physics up to now under the old ones, then re-evaluate. */
  private changeProfiles(change: () => void): void {
    for (const e of this.evses) this.settle(e);
    change();
    for (const e of this.evses) this.settle(e);
    this.notify();
    this.link.afterReply(async () => {
      await Promise.all(this.evses.map((e) => this.evaluate(e)));
    });
  }

  // ---- what the dialects may ask of the station ----

  private createCore(): ChargerCore {
    return {
      identity: this.identity,
      clock: this.clock,
      log: this.log,
      evses: this.evses,
      settings: this.settings,
      isBootAccepted: () => this.link.bootStatus === 'Accepted',
      call: (method, params) => this.link.call(method, params),
      evse: (evseId) => this.evses[evseId - 1],
      settle: (evse) => this.settle(evse),
      installProfile: (profile) => this.profiles.install(profile),
      clearProfiles: (criteria) => this.profiles.clear(criteria),
      composite: (evseId, durationS, rateUnit) => this.profiles.composite(evseId, durationS, rateUnit),
      remoteStart: (evseId, start) => this.commands.remoteStart(evseId, start),
      remoteStop: (transactionId) => this.commands.remoteStop(transactionId),
      reset: (hard) => this.commands.reset(hard),
      changeAvailability: (evseId, operative) => this.commands.changeAvailability(evseId, operative),
      trigger: (message, evseId) => this.commands.trigger(message, evseId),
    };
  }
}
