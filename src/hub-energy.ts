/**
 * Composition of the energy side of the hub: meters (MQTT), live EVSE state, the controller
 * and the dispatcher, the optional simulated site meter, and the read model the API shows.
 * Wiring only; the decisions live in control/, energy/ and strategies/.
 */
import type { SiteConfig } from './config/schema.js';
import type { Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';
import type { Store } from './store/store.js';
import type { StationRegistry } from './evse/station-registry.js';
import type { StationService } from './evse/station-service.js';
import { MeterHub } from './meters/meter-hub.js';
import { siteModelFromConfig, type SiteModel } from './control/site-model-from-config.js';
import { SiteRoster } from './control/site-roster.js';
import { TemporarySiteLimit, type SiteLimitOverride } from './control/temporary-site-limit.js';
import type { StationConfig } from './config/schema.js';
import type { Controller, ControllerDecision } from './control/controller.js';
import type { Dispatcher } from './control/dispatcher.js';
import type { ChargerCapabilityReader } from './evse/charger-capability-reader.js';
import { createCapabilityReader, createController, createDispatcher } from './hub-energy-control.js';
import { CsmsProfilesInForce } from './hub-csms-profiles.js';
import { evseKeyOf } from './control/evse-key.js';
import { LiveEvseState } from './evse/live-evse-state.js';
import type { SimMeter } from './sim/sim-meter.js';
import { simMeterFromConfig } from './sim/sim-meter-from-config.js';
import type { PerPhase } from './energy/phases.js';
import { CompositeEngine } from './energy/composite/index.js';
import type { OperationMode } from './energy/charging-profile.js';
import type { SiteSnapshot, Strategy } from './energy/strategy.js';
import type { ChargingProfile } from './energy/charging-profile.js';
import type { RunningTransaction, TimedLimit } from './energy/composite/index.js';
import type { SiteInputs } from './control/controller.js';
import { compileRules } from './control/cron-rules.js';
import { RuleBook, type RuleInputs } from './control/rule-book.js';
import type { ObservedLimit } from './control/limit-change-log.js';
import { sessionLimits } from './control/session-limits.js';
import { mqttOutWillFor } from './meters/mqtt-out-wiring.js';
import type { MqttOut } from './meters/mqtt-out-service.js';
import { strategyActsIn } from './control/operation-modes.js';
import { createHubMqttOut } from './hub-mqtt-out.js';
import { EnergyTotals } from './hub-energy-totals.js';
import { energyStationEvents } from './hub-energy-events.js';
import { evseScheduleView, type EvseScheduleView } from './hub-energy-schedule.js';
import { ExternalSetpoints } from './control/external-setpoints.js';
import { ObedienceWatch } from './control/obedience-watch.js';
import { siteImportCapacity, type SiteCapacity } from './energy/site-capacity.js';
import { EvseControls, type ConfiguredEvse, type RemoteStartStop } from './control/evse-controls.js';

export type { EvseScheduleView } from './hub-energy-schedule.js';

export interface EnergyDeps {
  config: SiteConfig;
  clock: Clock;
  log: Logger;
  store: Store;
  registry: StationRegistry;
  service: StationService;
  /** What the simulated fleet draws (for the simulated site meter), when there is one. */
  simulatedEvCurrentA?: () => PerPhase;
  /** Strategies composed outside (e.g. DER control), run after the configured ones, in every operation mode. */
  extraStrategies?: readonly Strategy<unknown>[];
  /** Told every EVSE's decided limit and its source after each decision (hub mode reports the hub's own upstream). */
  limitObserver?: (limits: ObservedLimit[]) => void;
  /** Remote start/stop of transactions for the EVSE controls (standalone mode). */
  remote?: RemoteStartStop;
  /** Sites with at least this many EVSEs decide step by step when not urgent (default 500; tests: 0). */
  steppedFromEvses?: number;
}

export class HubEnergy {
  readonly site: SiteModel;
  readonly meters: MeterHub | undefined;
  readonly controller: Controller;
  readonly dispatcher: Dispatcher;
  /** What each charger supports for charging profiles, read at its boot. */
  readonly capabilities: ChargerCapabilityReader;
  readonly live = new LiveEvseState();
  simMeter: SimMeter | undefined;
  /** State published to MQTT, Home Assistant discovery and the command topic (mqttOut.enabled). */
  mqttOut: MqttOut | undefined;
  /** The operator's temporary site import limit. */
  private readonly siteLimit: TemporarySiteLimit;
  /** The site's EVSEs per station, as commissioning adds and removes stations. */
  private readonly roster: SiteRoster;
  /**
   * What operators change on EVSEs at runtime (priority, modes, max current, start/stop), for
   * the API, the dashboard and MQTT alike; persisted in the store and restored here at start.
   */
  readonly controls: EvseControls;
  /** Chargers that accepted a limit and draw more (reported; the estimator budgets them at what they draw). */
  readonly obedience: ObedienceWatch;
  /** Cron rules: modes and site limits by time of day. */
  readonly rules: RuleBook;
  /** Live setpoints (W, positive charges) for the setpoint strategy, e.g. from an external source. */
  private setpoints: SiteSnapshot['setpoints'];
  /** Setpoints from the API and MQTT, each with an expiry; every change goes to setSetpoints. */
  readonly externalSetpoints: ExternalSetpoints;
  /** The CSMS's charging profiles per station id, kept as they change. */
  private readonly csmsProfiles: CsmsProfilesInForce;
  /** Composite schedules for the API, cached per profile set. */
  readonly composites = new CompositeEngine();
  /** Lifetime energy: each EVSE's register, the site's grid import / export and PV. */
  readonly totals: EnergyTotals;

  constructor(private readonly deps: EnergyDeps) {
    const { config, clock, log, registry } = deps;
    this.site = siteModelFromConfig(config);
    this.roster = new SiteRoster({ site: this.site, voltageV: config.site.voltageV });
    this.siteLimit = new TemporarySiteLimit({
      clock,
      capacityW: () => this.siteCapacity().powerW,
      decideNow: (reason) => this.controller.decideNow(reason),
      trigger: (reason) => this.controller.trigger(reason),
    });
    this.csmsProfiles = new CsmsProfilesInForce(deps.store.profiles);
    this.controls = new EvseControls({
      log: log.child({ part: 'control' }),
      evses: this.site.evses,
      store: deps.store.evseSettings,
      nowMs: () => clock.nowMs(),
      onChange: (reason, siteChanged) => (siteChanged ? this.controller.siteChanged(reason) : this.controller.trigger(reason)),
      ...(deps.remote ? { remote: deps.remote } : {}),
    });
    for (const s of config.stations) this.configureControls(s);
    this.controls.restore();
    this.totals = new EnergyTotals({ config, clock, log: log.child({ part: 'energy-totals' }), values: deps.store.stationState, siteValues: deps.store.siteState, transactions: deps.store.transactions, meterRoles: this.site.meterRoles });
    const needsBroker = config.meters.length > 0 || config.simulation?.siteMeter !== undefined || config.mqttOut.enabled;
    this.meters = needsBroker
      ? new MeterHub({ ...(config.mqtt.url ? { url: config.mqtt.url } : {}), embeddedPort: config.mqtt.embeddedPort, embeddedHost: config.mqtt.embeddedHost, meters: config.meters, clock, log: log.child({ part: 'meters' }), ...mqttOutWillFor(config) })
      : undefined;
    const wiring = { config, clock, log, registry, service: deps.service };
    this.capabilities = createCapabilityReader(wiring);
    this.dispatcher = createDispatcher(wiring, { site: this.site, live: this.live, capabilities: this.capabilities });
    this.live.readControllability((key) => this.dispatcher.isControllable(key));
    this.rules = new RuleBook({
      clock,
      log: log.child({ part: 'rules' }),
      rules: compileRules(config.rules),
      standingModes: () => this.controls.standingModes(),
      standingSources: () => this.controls.standingModeSources(),
      standingVersion: () => this.controls.standingVersion(),
      meterRoles: this.site.meterRoles,
      onEdge: (reason) => this.controller.trigger(reason),
    });
    this.controller = createController(wiring, {
      site: this.site,
      dispatcher: this.dispatcher,
      inputsAt: (nowMs) => this.inputsAt(nowMs),
      ...(deps.extraStrategies ? { extraStrategies: deps.extraStrategies } : {}),
      ...(deps.limitObserver ? { limitObserver: deps.limitObserver } : {}),
      ...(deps.steppedFromEvses !== undefined ? { steppedFromEvses: deps.steppedFromEvses } : {}),
    });

    this.obedience = new ObedienceWatch({
      log: log.child({ part: 'control' }),
      params: { ...config.energy.obey, followS: config.energy.settleS },
      history: (evseKey) => {
        const live = this.live.get(evseKey);
        return live?.active && live.samples ? { samples: live.samples, offers: this.dispatcher.offersOf(evseKey) } : undefined;
      },
    });

    this.externalSetpoints = new ExternalSetpoints({
      clock,
      knows: (evseKey) => this.site.evses.some((e) => e.key === evseKey),
      apply: (setpoints) => this.setSetpoints(setpoints),
    });

    deps.service.onEvent(
      energyStationEvents({
        clock,
        config,
        totals: this.totals,
        live: this.live,
        obedience: this.obedience,
        dispatcher: this.dispatcher,
        capabilities: this.capabilities,
        roster: this.roster,
        controller: this.controller,
        mqttOut: () => this.mqttOut,
      }),
    );
  }

  async start(): Promise<void> {
    for (const tx of this.deps.store.transactions.list({ status: 'Active', limit: 1000 })) {
      this.live.restore(evseKeyOf(tx.stationId, tx.evseId), tx.transactionId, tx.startedMs);
    }
    if (this.meters) {
      this.meters.onReading((reading) => this.controller.meterReading(reading));
      this.meters.onReading((reading) => this.totals.onReading(reading));
      this.totals.start();
      const { config, clock, log, store, registry } = this.deps;
      this.mqttOut = createHubMqttOut({ config, clock, log, store, registry, meters: this.meters, energy: this });
      this.mqttOut?.start();
      await this.meters.start();
      this.deps.log.info({ broker: this.meters.brokerUrl, meters: this.deps.config.meters.length }, 'meters started');
      const evCurrentA = this.deps.simulatedEvCurrentA;
      if (evCurrentA) {
        const meters = this.meters;
        this.simMeter = simMeterFromConfig(config, { clock, publish: (topic, payload) => meters.publish(topic, payload).catch(() => undefined), evCurrentA });
        this.simMeter?.start();
      }
    }
    this.rules.start();
    this.controller.start();
  }

  async stop(): Promise<void> {
    this.simMeter?.stop();
    this.rules.stop();
    this.controller.stop();
    this.externalSetpoints.stop();
    this.dispatcher.stop();
    await this.mqttOut?.stop();
    await this.meters?.close();
    this.totals.stop();
  }

  /**
   * Puts a station's EVSEs under load management at runtime (commissioning), replacing those it
   * had. The site model is changed in place (the controller, the API and the dispatcher read the
   * same object) and the controller computes base shares again at once: the new sum of base
   * shares fits the circuits, and the lowered base profiles of the EVSEs already there go out
   * with that decision, before the new charger has reconnected and booted (nothing is written to
   * a station before its accepted boot and the read of its capabilities).
   */
  addStation(station: StationConfig): void {
    this.removeEvsesOf(station.id);
    this.roster.add(station);
    this.configureControls(station);
    this.controller.siteChanged(`station ${station.id} added`);
  }

  /** Takes a station's EVSEs out of load management (commissioning: removed or edited). */
  removeStation(stationId: string): void {
    if (this.removeEvsesOf(stationId)) this.controller.siteChanged(`station ${stationId} removed`);
  }

  /** Takes a station's EVSEs out of the site model and forgets their runtime settings; false when it had none. */
  private removeEvsesOf(stationId: string): boolean {
    const removed = this.roster.remove(stationId);
    for (const key of removed) this.controls.forget(key);
    return removed.length > 0;
  }

  /** Whether a circuit id exists in the site model. */
  hasCircuit(circuitId: string): boolean {
    return this.site.circuits.some((c) => c.id === circuitId);
  }

  onStationConnected(stationId: string): void {
    this.dispatcher.onStationConnected(stationId);
  }

  /**
   * Why an external setpoint on this EVSE would do nothing, or undefined when it would act: the
   * site needs a `setpoint` strategy and the EVSE a mode it acts in (CentralSetpoint, ExternalSetpoint).
   */
  setpointProblem(evseKey: string, nowMs: number): string | undefined {
    if (!this.deps.config.strategies.some((s) => s.type === 'setpoint')) return 'the site config has no setpoint strategy: no setpoint is acted on';
    const mode = this.ruleInputs(nowMs).modes[evseKey] ?? this.modeOf(evseKey);
    if (!strategyActsIn('setpoint', mode)) return `EVSE ${evseKey} is in mode ${mode}, where setpoints are not used: set its mode to CentralSetpoint or ExternalSetpoint first`;
    return undefined;
  }

  /** The most the site can import (its grid connection), W, with how it was derived. */
  siteCapacity(): SiteCapacity {
    return siteImportCapacity(this.site.circuits, this.deps.config.site.voltageV, this.site.implicitRoot);
  }

  /** A temporary site import limit (W) until `untilMs`; replaces an earlier one. */
  setSiteLimit(powerW: number, untilMs: number, source: string): SiteLimitOverride {
    return this.siteLimit.set(powerW, untilMs, source);
  }

  clearSiteLimit(): void {
    this.siteLimit.clear();
  }

  activeOverride(nowMs: number): SiteLimitOverride | undefined {
    return this.siteLimit.activeAt(nowMs);
  }

  /** The configured values of a station's EVSEs for the controls (the solar mode from the first solar-surplus strategy). */
  private configureControls(station: StationConfig): void {
    const solar = this.deps.config.strategies.find((s) => s.type === 'solar-surplus');
    for (const e of station.evses) {
      const key = evseKeyOf(station.id, e.id);
      const configured: ConfiguredEvse = { priority: e.priority, mode: e.mode };
      if (solar?.type === 'solar-surplus') configured.solarMode = solar.modes[key] ?? solar.defaultMode;
      this.controls.configure(key, configured);
    }
  }

  /** An EVSE's operation mode now: an active rule's, else set at runtime, else the configured one. */
  modeOf(evseKey: string): OperationMode {
    return this.rules.modeOf(evseKey, this.deps.clock.nowMs()) ?? this.controls.modeOf(evseKey);
  }

  /** What the cron rules say now (modes with their sources, site limit, active rules). */
  ruleInputs(nowMs: number): RuleInputs {
    return this.rules.inputs(nowMs, this.meters?.snapshot(nowMs) ?? {});
  }

  /** Live setpoints for the setpoint strategy (replaces the earlier ones; undefined clears). */
  setSetpoints(setpoints: SiteSnapshot['setpoints']): void {
    this.setpoints = setpoints;
    this.controller.trigger('setpoints');
  }

  /** The controller's inputs at nowMs: readings, EVSE states, modes (rules first), the tightest site limit. */
  private inputsAt(nowMs: number): SiteInputs {
    const meters = this.meters?.snapshot(nowMs) ?? {};
    const ruled = this.rules.inputs(nowMs, meters);
    const override = this.activeOverride(nowMs);
    const limits = [...(override ? [{ powerW: override.powerW, source: override.source }] : []), ...(ruled.siteLimitW ? [ruled.siteLimitW] : [])];
    const siteLimitW = limits.reduce<SiteSnapshot['siteLimitW']>((best, l) => (best === undefined || l.powerW < best.powerW ? { powerW: l.powerW, source: l.source } : best), undefined);
    return {
      meters,
      live: this.live.states(),
      csmsProfiles: this.csmsProfiles.byStation(),
      ...(this.deps.config.upstream.mode === 'hub' ? { csmsStationGroups: [this.deps.config.stations.map((s) => s.id)] } : {}),
      modes: ruled.modes,
      solarModes: this.controls.solarModes(),
      evseCaps: this.controls.maxCurrentCaps(),
      ...(siteLimitW ? { siteLimitW } : {}),
      ...(this.setpoints ? { setpoints: this.setpoints } : {}),
    };
  }

  /** The CSMS changed a station's charging profiles: decide again with them. */
  csmsProfilesChanged(stationId: string): void {
    this.csmsProfiles.changed(stationId);
    this.controller.trigger(`csms profiles ${stationId}`);
  }

  /** The CSMS's charging profiles of one station (none: an empty list). */
  csmsProfilesOf(stationId: string): readonly ChargingProfile[] {
    return this.csmsProfiles.of(stationId);
  }

  /** The transaction running on an EVSE (hub id), as the live state knows it. */
  activeTransactionOf(stationId: string, evseId: number): RunningTransaction | undefined {
    const live = this.live.get(evseKeyOf(stationId, evseId));
    if (live?.transactionId === undefined) return undefined;
    return { id: live.transactionId, startedMs: live.transactionStartedMs ?? this.deps.clock.nowMs() };
  }

  /**
   * The hub's own limits on an EVSE in the last decision (circuit share, strategies, guard,
   * failsafe, own max), without the CSMS's: the composite adds those from the profiles, over time.
   */
  localLimitsOf(evseKey: string): TimedLimit[] {
    const decision = this.lastDecision()?.evses[evseKey];
    if (!decision) return [];
    return decision.limits.filter((l) => !l.source.startsWith('csms:')).map((l) => ({ source: l.source, maxCurrentA: l.maxCurrentA }));
  }

  /** The hub's limits that would apply to a session on an EVSE, whenever asked (circuit ratings). */
  sessionLimitsOf(evseKey: string): TimedLimit[] {
    const model = this.site.evses.find((e) => e.key === evseKey);
    return model ? sessionLimits(this.site.circuits, model) : [];
  }

  lastDecision(): ControllerDecision | undefined {
    return this.controller.lastDecision();
  }

  /** The effective schedule of one EVSE with the source of every limit. */
  schedule(evseKey: string, durationS: number): EvseScheduleView | undefined {
    return evseScheduleView({ energy: this, nowMs: this.deps.clock.nowMs() }, evseKey, durationS);
  }
}
