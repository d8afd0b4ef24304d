/**
 * The composite schedules the hub answers the CSMS with (GetCompositeSchedule) and whether a CSMS
 * profile can be enforced at all, over the stored CSMS profiles, the site model and the hub's
 * session limits. Used by CsmsProfiles (csms-profiles.ts), which hands out one array per
 * station's profiles until they change: the composite engine caches its work per array, as
 * for the controller and the API.
 */
import type { ChargingProfile, RateUnit } from '../energy/charging-profile.js';
import { CompositeEngine, type CompositeSchedule } from '../energy/composite/index.js';
import type { EvseModel } from '../energy/site-model.js';
import { evseKeyOf } from '../control/evse-key.js';
import { capSchedule, sumSchedules } from './csms-profiles-combine.js';
import type { DownstreamEvse } from './csms-profiles-scope.js';
import type { CsmsProfilesDeps } from './csms-profiles.js';

export interface CsmsCompositesDeps extends Pick<CsmsProfilesDeps, 'evses' | 'activeTransactionOf' | 'sessionLimitsOf' | 'controllable'> {
  /** The CSMS profiles stored for a downstream station: the same array until they change. */
  profilesOf: (stationId: string) => readonly ChargingProfile[];
}

const NO_PROFILES: readonly ChargingProfile[] = Object.freeze([]);

export class CsmsComposites {
  private readonly engine = new CompositeEngine();
  /** A station's evse-0 profiles, per array of its profiles (held weakly, like the engine's cache). */
  private readonly stationWide = new WeakMap<readonly ChargingProfile[], readonly ChargingProfile[]>();

  constructor(private readonly deps: CsmsCompositesDeps) {}

  modelOf(stationId: string, evseId: number): EvseModel | undefined {
    const key = evseKeyOf(stationId, evseId);
    return this.deps.evses().find((e) => e.key === key);
  }

  private isControllable(evseKey: string): boolean {
    return this.deps.controllable?.(evseKey) ?? true;
  }

  /**
   * One EVSE: its CSMS profiles, its transaction, the hub's session limits on it, its rating. W by
   * default for a DC (power-rated) EVSE. What would apply to a charging session: the same answer
   * whenever asked (only the profiles' own time and a running transaction's TxProfile and
   * Relative anchor change it). An EVSE the hub cannot control answers its own maximum with source
   * evse:uncontrollable: no profile is enforced there.
   */
  evse(target: DownstreamEvse | undefined, nowMs: number, durationS: number, unit: RateUnit | undefined): CompositeSchedule | undefined {
    const model = target && this.modelOf(target.stationId, target.evseId);
    if (!target || !model) return undefined;
    const transaction = this.deps.activeTransactionOf(target.stationId, target.evseId);
    const evse = { phases: model.phases, voltageV: model.voltageV, maxCurrentA: model.maxCurrentA, ...(model.maxPowerW !== undefined ? { maxPowerW: model.maxPowerW } : {}) };
    const rateUnit = unit ?? (model.maxPowerW !== undefined ? 'W' : 'A');
    if (!this.isControllable(model.key)) {
      const own = this.engine.compute({ nowMs, durationS, evseId: target.evseId, profiles: NO_PROFILES, evse, rateUnit });
      return { ...own, periods: own.periods.map((p) => ({ ...p, source: 'evse:uncontrollable' })) };
    }
    return this.engine.compute({
      nowMs,
      durationS,
      evseId: target.evseId,
      profiles: this.deps.profilesOf(target.stationId),
      ...(transaction ? { transaction } : {}),
      evse,
      rateUnit,
      localLimits: this.deps.sessionLimitsOf(model.key),
    });
  }

  private evsesOfStation(stationId: string): { model: EvseModel; evseId: number }[] {
    return this.deps.evses()
      .filter((e) => e.key.startsWith(`${stationId}/`))
      .map((model) => ({ model, evseId: Number(model.key.slice(stationId.length + 1)) }));
  }

  /**
   * Evse 0: the sum of the EVSEs' composites, capped by the station-wide (evse 0) profiles
   * (ChargingStationMaxProfile and the like). A station (proxy mode) is capped by its own; the
   * site of hub mode (`siteWide`) is one station to the CSMS, so its evse-0 profiles cap
   * the sum of every EVSE of every station once (the controller holds that sum too, see
   * csmsGroupLimits). In A the sum adds per-phase currents of EVSEs that may sit on different
   * phases: an upper bound per phase.
   */
  grid(siteWide: boolean, stationIds: readonly string[], nowMs: number, durationS: number, unit: RateUnit): CompositeSchedule | undefined {
    const groups = siteWide ? [stationIds] : stationIds.map((s) => [s]);
    const perGroup: CompositeSchedule[] = [];
    for (const group of groups) {
      const members = group.flatMap((stationId) => this.evsesOfStation(stationId).map((e) => ({ stationId, ...e })));
      const evses = members.flatMap((m) => this.evse({ stationId: m.stationId, evseId: m.evseId }, nowMs, durationS, unit) ?? []);
      const sum = sumSchedules(evses, group.length === 1 ? `hub:sum ${group[0] ?? ''}` : 'hub:sum');
      if (!sum) continue;
      const models = members.map((m) => m.model);
      const station = this.engine.compute({
        nowMs,
        durationS,
        evseId: 0,
        profiles: this.evseZeroProfiles(group),
        evse: {
          phases: models.some((m) => m.phases === 3) ? 3 : 1,
          voltageV: models[0]?.voltageV ?? 230,
          maxCurrentA: models.reduce((a, m) => a + m.maxCurrentA, 0),
        },
        rateUnit: unit,
      });
      perGroup.push(capSchedule(sum, station));
    }
    const site = perGroup.length === 1 ? perGroup[0] : sumSchedules(perGroup, 'hub:sum');
    return site && { ...site, evseId: 0 };
  }

  /**
   * The evse-0 profiles of a group of stations (one id each). One station: the same array for as
   * long as its profiles stay the same, so the engine's cache holds. Several (hub mode's site):
   * gathered per request.
   */
  private evseZeroProfiles(group: readonly string[]): readonly ChargingProfile[] {
    const only = group.length === 1 ? group[0] : undefined;
    if (only !== undefined) {
      const all = this.deps.profilesOf(only);
      let wide = this.stationWide.get(all);
      if (!wide) {
        wide = all.filter((p) => p.evseId === 0);
        this.stationWide.set(all, wide);
      }
      return wide;
    }
    const byId = new Map<number, ChargingProfile>();
    for (const stationId of group) {
      for (const p of this.deps.profilesOf(stationId)) if (p.evseId === 0) byId.set(p.id, p);
    }
    return [...byId.values()];
  }

  /**
   * Never accept what cannot be enforced: why a profile that would act on an EVSE whose charger
   * refused the hub's profiles is to be refused (undefined: it can be enforced). A ChargingStationMaxProfile on evse 0 only when those EVSEs at
   * their maximum alone already exceed its lowest limit (the controller counts them at their max
   * and holds the rest within the cap).
   */
  unenforceable(targets: readonly DownstreamEvse[], profile: ChargingProfile): string | undefined {
    const covered = targets.flatMap((t) => (t.evseId === 0
      ? this.evsesOfStation(t.stationId).map((e) => e.model)
      : [this.modelOf(t.stationId, t.evseId)].filter((m): m is EvseModel => m !== undefined)));
    const stuck = covered.filter((m) => !this.isControllable(m.key));
    if (stuck.length === 0) return undefined;
    const names = stuck.map((m) => m.key).join(', ');
    if (profile.purpose === 'ChargingStationMaxProfile') {
      const schedule = profile.schedules[0];
      const lowest = Math.min(...(schedule?.periods ?? []).map((p) => p.limit));
      const unitW = schedule?.rateUnit === 'W';
      const stuckSum = stuck.reduce((a, m) => a + (unitW ? m.maxCurrentA * m.voltageV * m.phases : m.maxCurrentA), 0);
      if (stuckSum <= lowest) return undefined;
      return `cannot be enforced: ${names} cannot be controlled (refused the hub's profiles) and at their maximum draw ${stuckSum} ${unitW ? 'W' : 'A'}, above ${lowest}`;
    }
    return `cannot be enforced: ${names} cannot be controlled (refused the hub's profiles)`;
  }
}
