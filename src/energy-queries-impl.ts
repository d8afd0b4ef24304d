import type { Clock } from './util/clock.js';
import type { EnergyQueries, EvseEnergyView, SiteDerView } from './api/energy-queries.js';
import type { HubEnergy } from './hub-energy.js';
import type { EvseModel } from './energy/site-model.js';
import { parseEvseKey } from './control/evse-key.js';
import type { SetpointControl } from './api/routes/setpoints.js';
import { ApiError } from './api/errors.js';
import { strategyActsIn } from './control/operation-modes.js';
import { SiteEvseRows } from './api/site-evse-rows.js';

/** Views from parts composed outside HubEnergy. */
export interface EnergyQueryExtras {
  /** DER controls in force (hub mode on a 2.1 link). */
  der?: () => SiteDerView;
}

/** The API's view of the energy side, assembled from the controller, meters and dispatcher. */
export function energyQueries(energy: HubEnergy, clock: Clock, extras: EnergyQueryExtras = {}): EnergyQueries & { setpoints: SetpointControl } {
  const evseView = (model: EvseModel): EvseEnergyView => {
    const id = parseEvseKey(model.key);
    const decision = energy.lastDecision()?.evses[model.key];
    const live = energy.live.get(model.key);
    const offeredA = energy.dispatcher.state(model.key)?.lastSentA;
    const disobedient = energy.obedience.of(model.key);
    const nowMs = clock.nowMs();
    const ruled = energy.rules.modeOf(model.key, nowMs);
    const settings = energy.controls.view(model.key) ?? { priority: { value: model.priority, source: 'config' }, mode: { value: energy.controls.modeOf(model.key), source: 'config' } };
    const mode = ruled ?? settings.mode.value;
    return {
      evseKey: model.key,
      stationId: id?.stationId ?? model.key,
      evseId: id?.evseId ?? 0,
      circuitId: model.circuitId,
      phases: model.phases,
      phaseRotation: [...model.phaseRotation],
      minCurrentA: model.minCurrentA,
      maxCurrentA: model.maxCurrentA,
      priority: model.priority,
      mode,
      modeSource: ruled !== undefined ? ruleSourceOf(energy, model.key, nowMs) : settings.mode.source,
      settings,
      ...(settings.solarMode ? { solarInForce: strategyActsIn('solar-surplus', mode) } : {}),
      active: live?.active ?? false,
      ...(offeredA !== undefined ? { offeredA } : {}),
      ...(live?.active && live.measuredCurrentA ? { drawnA: [...live.measuredCurrentA] } : {}),
      ...(decision
        ? { limit: decision.limit, limits: decision.limits, allocation: decision.status, baseShareA: decision.baseShare.maxCurrentA }
        : { limits: [] }),
      profileWrites: energy.dispatcher.writeCounts(model.key),
      ...(disobedient ? { disobedient } : {}),
    };
  };

  const siteRows = new SiteEvseRows();
  const modeOf = (evseKey: string) => energy.modeOf(evseKey);

  return {
    site() {
      const nowMs = clock.nowMs();
      const d = energy.lastDecision();
      const override = energy.activeOverride(nowMs);
      const stats = energy.dispatcher.stats();
      const ruled = energy.ruleInputs(nowMs);
      return {
        nowMs,
        meters: energy.meters?.snapshot(nowMs) ?? {},
        circuits: d?.circuits ?? [],
        staleCircuits: d?.staleCircuits ?? {},
        evses: siteRows.rowsOf(d?.evses ?? {}, { modes: ruled.modes, modeSources: ruled.modeSources, modeOf }),
        ...(override ? { siteLimit: override } : {}),
        rules: { active: ruled.active, ...(ruled.siteLimitW ? { siteLimitW: ruled.siteLimitW } : {}), problems: ruled.problems },
        ...(d ? { lastDecision: { atMs: d.atMs, durationMs: d.durationMs, reasons: d.reasons } } : {}),
        dispatch: { writes: stats.writes, accepted: stats.accepted, rejected: stats.rejected, failed: stats.failed },
        ...(extras.der ? { der: extras.der() } : {}),
      };
    },
    healthInputs: () => {
      const nowMs = clock.nowMs();
      const stationIds = new Set<string>();
      for (const model of energy.site.evses) stationIds.add(parseEvseKey(model.key)?.stationId ?? model.key);
      return { meters: energy.meters?.snapshot(nowMs) ?? {}, staleCircuits: energy.lastDecision()?.staleCircuits ?? {}, stationIds: [...stationIds] };
    },
    evses: () => energy.site.evses.map(evseView),
    evse: (key) => {
      const model = energy.site.evses.find((e) => e.key === key);
      return model && evseView(model);
    },
    evseSchedule: (key, durationS) => energy.schedule(key, durationS),
    setSiteLimit: (powerW, durationS) => {
      const capacity = energy.siteCapacity();
      if (powerW > capacity.powerW) {
        throw new ApiError('BAD_REQUEST', `powerW ${powerW} W is above what the site's grid connection can carry: ${capacity.powerW} W (${capacity.basis})`, 'body.powerW');
      }
      return energy.setSiteLimit(powerW, clock.nowMs() + durationS * 1000, 'override:api');
    },
    siteCapacityW: () => energy.siteCapacity().powerW,
    clearSiteLimit: () => energy.clearSiteLimit(),
    setEvseSettings: async (key, patch) => evseView(await energy.controls.updateDurably(key, patch, 'api')),
    setpoints: {
      setEvse: (key, req) => {
        const problem = energy.site.evses.some((e) => e.key === key) ? energy.setpointProblem(key, clock.nowMs()) : undefined;
        if (problem) throw new ApiError('NOT_APPLICABLE', problem, 'params.evseId');
        const set = energy.externalSetpoints.setEvse(key, { ...req, source: 'external:api' });
        return set ? { ...set, mode: energy.modeOf(key) } : undefined;
      },
      clearEvse: (key) => energy.externalSetpoints.clearEvse(key),
      setSite: (req) => energy.externalSetpoints.setSite({ ...req, source: 'external:api' }),
      clearSite: () => energy.externalSetpoints.clearSite(),
    },
  };
}

/** `rule:<id>` of the cron rule that sets the EVSE's mode now. */
function ruleSourceOf(energy: HubEnergy, evseKey: string, nowMs: number): string {
  return energy.ruleInputs(nowMs).modeSources[evseKey] ?? 'rule';
}
