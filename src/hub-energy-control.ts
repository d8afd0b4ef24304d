/**
 * The control loop's parts as the hub wires them: the reader of what each charger supports, the
 * dispatcher that writes profiles to the stations, and the controller that decides. Wiring only;
 * the decisions live in control/, energy/ and strategies/.
 */
import type { SiteConfig } from './config/schema.js';
import { yieldOf, type Clock } from './util/clock.js';
import type { Logger } from './util/logger.js';
import type { StationRegistry } from './evse/station-registry.js';
import type { StationService } from './evse/station-service.js';
import type { SiteModel } from './control/site-model-from-config.js';
import type { LiveEvseState } from './evse/live-evse-state.js';
import type { EvseModel } from './energy/site-model.js';
import type { Strategy } from './energy/strategy.js';
import { Controller, type SiteInputs } from './control/controller.js';
import { Dispatcher } from './control/dispatcher.js';
import { ChargerCapabilityReader } from './evse/charger-capability-reader.js';
import { buildStrategies } from './control/strategy-registry.js';
import { withLimitChangeLog, type ObservedLimit } from './control/limit-change-log.js';
import { gridPhases } from './energy/allocation/index.js';
import type { DecideParams } from './control/decide.js';

/** Two EVSEs share capacity when they use a common grid phase (every circuit path meets at the root). */
function sharesCapacityOf(evses: readonly EvseModel[]): (a: string, b: string) => boolean {
  const phases = new Map(evses.map((e) => [e.key, new Set(gridPhases(e))]));
  return (a, b) => {
    const pa = phases.get(a);
    const pb = phases.get(b);
    if (!pa || !pb) return true;
    for (const p of pa) if (pb.has(p)) return true;
    return false;
  };
}

export interface ControlWiringDeps {
  config: SiteConfig;
  clock: Clock;
  log: Logger;
  registry: StationRegistry;
  service: StationService;
}

/** A CALL to a connected station's peer (rejected when it is not connected). */
function callStation(registry: StationRegistry) {
  return (stationId: string, action: string, payload: unknown): Promise<unknown> => {
    const session = registry.get(stationId);
    if (!session) return Promise.reject(new Error(`station ${stationId} is not connected`));
    return session.peer.call(action, payload);
  };
}

export function createCapabilityReader(deps: ControlWiringDeps): ChargerCapabilityReader {
  const { config, log, registry } = deps;
  return new ChargerCapabilityReader({
    log: log.child({ part: 'capabilities' }),
    call: callStation(registry),
    versionOf: (stationId) => registry.get(stationId)?.version,
    overrideOf: (stationId) => config.stations.find((s) => s.id === stationId)?.smartCharging,
  });
}

export function createDispatcher(deps: ControlWiringDeps, parts: { site: SiteModel; live: LiveEvseState; capabilities: ChargerCapabilityReader }): Dispatcher {
  const { config, clock, log, registry, service } = deps;
  const { site, live, capabilities } = parts;
  const dispatcher: Dispatcher = new Dispatcher({
    clock,
    log: log.child({ part: 'dispatch' }),
    send: callStation(registry),
    // Only stations that booted and were accepted get profiles (OCPP: nothing before boot),
    // and only once what they support (rate unit, stack levels) has been read: the first time
    // the dispatcher wants to write after a boot, the read starts, and the write follows it.
    versionOf: (stationId) => {
      // The registry first: a station that is not connected gets nothing, and asking it costs no
      // store read (a decision asks this for every EVSE of the site).
      const version = registry.get(stationId)?.version;
      if (version === undefined || !service.isAdmitted(stationId) || !service.isBootAccepted(stationId)) return undefined;
      return capabilities.ensure(stationId, () => dispatcher.onStationConnected(stationId)) ? version : undefined;
    },
    capabilitiesOf: (stationId) => capabilities.of(stationId),
    leaseS: config.energy.leaseS,
    minIntervalS: config.energy.minIntervalS,
    hysteresisA: config.energy.hysteresisA,
    settleS: config.energy.settleS,
    ...(config.energy.writeBudgetPerDay !== undefined ? { writeBudgetPerDay: config.energy.writeBudgetPerDay } : {}),
    sharesCapacity: sharesCapacityOf(site.evses),
    follows: (evseKey, limitA, sinceMs) => {
      const samples = live.get(evseKey)?.samples ?? [];
      const last = samples[samples.length - 1];
      return last !== undefined && last.timeMs > sinceMs && Math.max(0, ...last.currentA) <= limitA + config.energy.obey.toleranceA;
    },
  });
  return dispatcher;
}

export interface ControllerParts {
  site: SiteModel;
  dispatcher: Dispatcher;
  /** The controller's inputs at an instant. */
  inputsAt: (nowMs: number) => SiteInputs;
  extraStrategies?: readonly Strategy<unknown>[];
  limitObserver?: (limits: ObservedLimit[]) => void;
  /** Sites with at least this many EVSEs decide step by step when not urgent. Default STEPPED_FROM_EVSES. */
  steppedFromEvses?: number;
}

/** The configured strategies, built with the site's energy settings. */
export function strategiesOf(config: ControlWiringDeps['config'], site: SiteModel): Strategy<unknown>[] {
  return buildStrategies(config.strategies, {
    marginA: config.energy.marginA,
    rotationPeriodS: config.energy.rotationPeriodS,
    nominalVoltageV: config.site.voltageV,
    worstCaseNonEvA: site.worstCaseNonEvA,
    nonEvEstimator: config.energy.nonEvEstimator,
    followS: config.energy.settleS,
  });
}

/**
 * Sites with at least this many EVSEs decide step by step when not urgent (see Controller): a
 * decision over fewer takes about 10 ms or less, and deciding at once keeps its inputs fresh.
 */
export const STEPPED_FROM_EVSES = 500;

export function createController(deps: ControlWiringDeps, parts: ControllerParts): Controller {
  const { config, clock, log } = deps;
  const { site } = parts;
  const staleAfterSByMeter = Object.fromEntries(config.meters.map((m) => [m.id, m.staleAfterS]));
  const strategies = strategiesOf(config, site);
  const controller: Controller = new Controller({
    clock,
    log: log.child({ part: 'control' }),
    site,
    strategies: [...strategies, ...(parts.extraStrategies ?? [])].map((strategy) => ({ strategy })),
    snapshot: parts.inputsAt,
    dispatcher: withLimitChangeLog({
      sink: parts.dispatcher,
      log: log.child({ part: 'control' }),
      decision: (key) => controller.lastDecision()?.evses[key],
      ...(parts.limitObserver ? { observe: parts.limitObserver } : {}),
    }),
    debounceMs: config.energy.debounceMs,
    // A decision over a large site runs in steps when it is not urgent, letting the stations'
    // messages through between them (a decision over 5,000 EVSEs takes about 100 ms in all).
    // The clock's yield: setImmediate on the system clock; a fake clock runs the steps as it is
    // advanced, so tests can run small sites step by step too (steppedFromEvses 0).
    yieldToLoop: yieldOf(clock),
    steppedFromEvses: parts.steppedFromEvses ?? STEPPED_FROM_EVSES,
    failsafe: { staleAfterS: 10, staleAfterSByMeter },
    params: decideParamsOf(config),
  });
  return controller;
}

/** The decision's knobs from the site config's energy settings, as the hub's controller runs them. */
export function decideParamsOf(config: ControlWiringDeps['config']): DecideParams {
  return {
    marginA: config.energy.marginA,
    rotationPeriodS: config.energy.rotationPeriodS,
    nominalVoltageV: config.site.voltageV,
    nonEvEstimator: config.energy.nonEvEstimator,
    followS: config.energy.settleS,
    rampReserve: config.energy.nonEvEstimator === 'aligned',
  };
}
