/**
 * The CSMS's charging-profile calls, answered by the hub in every upstream mode (design:
 * "the hub is the only writer of profiles on its EVSEs"). SetChargingProfile and
 * ClearChargingProfile change the CSMS profiles the hub keeps per downstream station (inputs to
 * the composite and to the controller; never sent to a charger); GetChargingProfiles reports
 * them (2.x); GetCompositeSchedule answers from the composite of the stored profiles and the
 * hub's own limits in force.
 *
 *   const profiles = new CsmsProfiles({ store, clock, log, evses, activeTransactionOf, sessionLimitsOf, controllable, onChange });
 *   link.handle(action, (ctx) => profiles.handle(scope, ctx.action, ctx.payload));  // for the 4 actions
 *
 * The scope (csms-profiles-scope.ts) says what the link's EVSE ids mean: the station's own
 * (proxy mode) or the site's mapping (hub mode).
 */
import type { ChargingProfile, RateUnit } from '../energy/charging-profile.js';
import {
  clearProfiles, tryInstallProfile, validateProfile,
  type ClearCriteria, type RunningTransaction, type TimedLimit,
} from '../energy/composite/index.js';
import type { EvseModel } from '../energy/site-model.js';
import { validatePayload } from '../ocpp/schema-validator.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { CsmsComposites } from './csms-profiles-composite.js';
import type { DownstreamEvse, ProfileScope } from './csms-profiles-scope.js';
import {
  clearCriteriaFrom16, compositeTo16, profileFrom16,
  type ClearChargingProfile16, type GetCompositeSchedule16, type SetChargingProfile16,
} from './csms-profiles-wire-16.js';
import {
  clearCriteriaFrom2x, compositeTo2x, profileFrom2x, profileTo2x, purposeFrom2x,
  type ClearChargingProfile2x, type GetChargingProfiles2x, type GetCompositeSchedule2x, type SetChargingProfile2x,
} from './csms-profiles-wire-2x.js';

export const CSMS_PROFILE_ACTIONS = ['SetChargingProfile', 'ClearChargingProfile', 'GetChargingProfiles', 'GetCompositeSchedule'] as const;
export type CsmsProfileAction = (typeof CSMS_PROFILE_ACTIONS)[number];

export function isCsmsProfileAction(action: string): action is CsmsProfileAction {
  return (CSMS_PROFILE_ACTIONS as readonly string[]).includes(action);
}

/** Longest composite schedule answered, s; a longer request gets this much (the answer says so). */
export const DEFAULT_MAX_COMPOSITE_S = 31 * 86_400;

export interface CsmsProfilesDeps {
  store: Pick<Store, 'db' | 'profiles'>;
  clock: Clock;
  log: Logger;
  /** The EVSEs the hub manages (the site model). */
  evses: () => readonly EvseModel[];
  /** The transaction running on a downstream EVSE (the hub's id), if any. */
  activeTransactionOf: (stationId: string, evseId: number) => RunningTransaction | undefined;
  /**
   * The hub's own limits that would apply to a charging session on an EVSE, independent of the
   * moment (its circuits' ratings, see control/session-limits.ts), without the CSMS's. Not the
   * last decision's share: that hides every profile on an idle EVSE and changes from second to
   * second.
   */
  sessionLimitsOf: (evseKey: string) => readonly TimedLimit[];
  /**
   * False when the hub cannot control the EVSE (its charger refused the hub's profiles): a CSMS
   * profile for it is rejected, and its composite is its own maximum (source evse:uncontrollable).
   */
  controllable?: (evseKey: string) => boolean;
  /** Called after a station's CSMS profiles changed (the controller should decide again). */
  onChange: (stationId: string) => void;
  maxCompositeS?: number;
}

type Answer = Record<string, unknown>;

/** An answer the caller could not have expected from the payload alone, with a reason for the log. */
class Refusal {
  constructor(readonly reasonCode: string, readonly detail: string) {}
}

function checked<T>(scope: ProfileScope, action: string, payload: unknown): T {
  const error = validatePayload(scope.version, action, 'req', payload);
  if (error) throw error;
  return payload as T;
}

export class CsmsProfiles {
  private readonly maxCompositeS: number;
  private reports: Promise<void> = Promise.resolve();
  private readonly composites: CsmsComposites;
  /**
   * The stored CSMS profiles per station, one array each until this class changes them: the
   * composite engine caches its work per array, so a GetCompositeSchedule repeats none of it.
   * Only this class writes CSMS profiles; every write drops the whole map (also after a refusal
   * rolled the write back).
   */
  private readonly byStation = new Map<string, readonly ChargingProfile[]>();

  constructor(private readonly deps: CsmsProfilesDeps) {
    this.maxCompositeS = deps.maxCompositeS ?? DEFAULT_MAX_COMPOSITE_S;
    this.composites = new CsmsComposites({ ...deps, profilesOf: (stationId) => this.profilesOf(stationId) });
  }

  /**
   * Answers one of the four actions for the link `scope`. A payload that breaks the schema
   * throws the RpcError to answer with; everything else gets an answer valid for the version.
   */
  async handle(scope: ProfileScope, action: CsmsProfileAction, payload: unknown): Promise<Answer> {
    this.pruneEndedTxProfiles(scope);
    switch (action) {
      case 'SetChargingProfile':
        return this.set(scope, payload);
      case 'ClearChargingProfile':
        return this.clear(scope, payload);
      case 'GetChargingProfiles':
        return this.get(scope, payload);
      case 'GetCompositeSchedule':
        return this.composite(scope, payload);
    }
  }

  /** The CSMS profiles kept for a downstream station (the same array until they change: do not modify). */
  profilesOf(stationId: string): readonly ChargingProfile[] {
    let profiles = this.byStation.get(stationId);
    if (!profiles) {
      profiles = this.deps.store.profiles.list(stationId, 'csms').map((p) => p.profile);
      this.byStation.set(stationId, profiles);
    }
    return profiles;
  }

  /** Runs the writes of one answer in one SQLite transaction; the kept arrays are dropped whatever the outcome. */
  private writing(fn: () => void): void {
    try {
      this.deps.store.db.transaction(fn)();
    } finally {
      this.byStation.clear();
    }
  }

  /** Whether the hub manages this EVSE (>= 1) of a station (is in the site model). */
  hasEvse(stationId: string, evseId: number): boolean {
    return evseId >= 1 && this.modelOf(stationId, evseId) !== undefined;
  }

  /** Resolves once the ReportChargingProfiles started so far have been sent (or failed). */
  idle(): Promise<void> {
    return this.reports;
  }

  // ---- SetChargingProfile --------------------------------------------------------------------

  private set(scope: ProfileScope, payload: unknown): Answer {
    let wireEvseId: number;
    let convert: (target: DownstreamEvse) => ChargingProfile | string;
    const localTx = (target: DownstreamEvse) => (wireId: string): string | undefined =>
      scope.localTransactionId ? scope.localTransactionId(target, wireId) : wireId;
    if (scope.version === '1.6') {
      const req = checked<SetChargingProfile16>(scope, 'SetChargingProfile', payload);
      wireEvseId = req.connectorId;
      convert = (t) => profileFrom16(req.csChargingProfiles, t.evseId, localTx(t));
    } else {
      const req = checked<SetChargingProfile2x>(scope, 'SetChargingProfile', payload);
      wireEvseId = req.evseId;
      convert = (t) => profileFrom2x(req.chargingProfile, t.evseId, localTx(t));
    }
    const targets = scope.toDownstream(wireEvseId);
    try {
      if (targets.length === 0) throw new Refusal('UnknownEVSE', `EVSE ${wireEvseId} is not one the hub manages`);
      const installs = targets.map((t) => ({ target: t, profile: this.admissible(t, convert(t)) }));
      const first = installs[0]?.profile;
      if (first) {
        const problem = this.composites.unenforceable(targets, first);
        if (problem) throw new Refusal('UnsupportedRequest', problem);
      }
      const changed = this.install(scope, installs);
      const stored = installs[0]?.profile;
      this.deps.log.info({ link: scope.name, profileId: stored?.id, evseId: wireEvseId, purpose: stored?.purpose, stackLevel: stored?.stackLevel, stations: changed }, 'CSMS charging profile stored');
      for (const stationId of changed) this.deps.onChange(stationId);
      return { status: 'Accepted' };
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      this.deps.log.info({ link: scope.name, evseId: wireEvseId, reason: err.detail }, 'CSMS charging profile rejected');
      return rejected(scope, err);
    }
  }

  /** The profile to store on target, or a Refusal. A TxProfile is bound to the running transaction. */
  private admissible(target: DownstreamEvse, converted: ChargingProfile | string): ChargingProfile {
    if (typeof converted === 'string') throw new Refusal('InvalidProfile', converted);
    let profile = converted;
    if (profile.purpose === 'ChargingStationExternalConstraints') {
      throw new Refusal('InvalidProfile', 'ChargingStationExternalConstraints come from an external system, not the CSMS');
    }
    if (profile.purpose === 'TxProfile' && target.evseId > 0) {
      const running = this.deps.activeTransactionOf(target.stationId, target.evseId);
      if (!running) throw new Refusal('TxNotFound', `no transaction runs on EVSE ${target.evseId}`);
      const problem = validateProfile(profile, { activeTransactionId: running.id });
      if (problem) throw new Refusal(problem.includes('transaction') ? 'TxNotFound' : 'InvalidProfile', problem);
      profile = { ...profile, transactionId: running.id };
    }
    const problem = validateProfile(profile);
    if (problem) throw new Refusal('InvalidProfile', problem);
    return profile;
  }

  /**
   * Stores the profiles (ids unique across the scope; same purpose, stack level and EVSE: 1.6
   * replaces, 2.x rejects an overlapping validity, K01.FR.06); returns the stations changed.
   * A refusal on any target leaves every station as it was.
   */
  private install(scope: ProfileScope, installs: { target: DownstreamEvse; profile: ChargingProfile }[]): string[] {
    const { profiles } = this.deps.store;
    const changed = new Set<string>();
    this.writing(() => {
      const id = installs[0]?.profile.id;
      const targeted = new Set(installs.map((i) => i.target.stationId));
      for (const stationId of scope.stationIds()) {
        if (id !== undefined && !targeted.has(stationId) && profiles.delete(stationId, 'csms', id)) changed.add(stationId);
      }
      const rule = scope.version === '1.6' ? 'replace' : 'reject-overlap';
      const nowMs = this.deps.clock.nowMs();
      for (const { target, profile } of installs) {
        const existing = this.profilesOf(target.stationId);
        const result = tryInstallProfile(existing, profile, { rule, nowMs });
        if (!result.ok) throw new Refusal('DuplicateProfile', result.reason);
        const next = result.profiles;
        for (const old of existing) if (!next.includes(old)) profiles.delete(target.stationId, 'csms', old.id);
        profiles.put(target.stationId, 'csms', profile);
        changed.add(target.stationId);
      }
    });
    return [...changed];
  }

  // ---- ClearChargingProfile ------------------------------------------------------------------

  private clear(scope: ProfileScope, payload: unknown): Answer {
    let criteria: ClearCriteria;
    if (scope.version === '1.6') {
      criteria = clearCriteriaFrom16(checked<ClearChargingProfile16>(scope, 'ClearChargingProfile', payload));
    } else {
      const c = clearCriteriaFrom2x(checked<ClearChargingProfile2x>(scope, 'ClearChargingProfile', payload));
      if (typeof c === 'string') return { status: 'Unknown', statusInfo: { reasonCode: 'InvalidProfile', additionalInfo: c } };
      criteria = c;
    }
    // Per station, the criteria on its own EVSE ids (an EVSE id the link does not know matches nothing).
    const perStation = new Map<string, ClearCriteria[]>();
    if (criteria.id !== undefined || criteria.evseId === undefined) {
      for (const stationId of scope.stationIds()) perStation.set(stationId, [criteria]);
    } else {
      for (const t of scope.toDownstream(criteria.evseId)) {
        perStation.set(t.stationId, [...(perStation.get(t.stationId) ?? []), { ...criteria, evseId: t.evseId }]);
      }
    }
    const changed: string[] = [];
    let cleared = 0;
    this.writing(() => {
      for (const [stationId, list] of perStation) {
        const before = this.profilesOf(stationId);
        let remaining = before;
        for (const c of list) remaining = clearProfiles(remaining, c).remaining;
        const kept = new Set(remaining.map((p) => p.id));
        for (const p of before) if (!kept.has(p.id)) this.deps.store.profiles.delete(stationId, 'csms', p.id);
        if (remaining.length < before.length) changed.push(stationId);
        cleared += before.length - remaining.length;
      }
    });
    this.deps.log.info({ link: scope.name, criteria, cleared }, 'CSMS charging profiles cleared');
    for (const stationId of changed) this.deps.onChange(stationId);
    return { status: cleared > 0 ? 'Accepted' : 'Unknown' };
  }

  // ---- GetChargingProfiles (2.x) -------------------------------------------------------------

  private get(scope: ProfileScope, payload: unknown): Answer {
    const req = checked<GetChargingProfiles2x>(scope, 'GetChargingProfiles', payload);
    const c = req.chargingProfile;
    const purpose = c.chargingProfilePurpose === undefined ? undefined : purposeFrom2x(c.chargingProfilePurpose);
    const byEvse = new Map<number, Map<number, Record<string, unknown>>>();
    // Every profile the CSMS set is of source CSO.
    const sourceOk = c.chargingLimitSource === undefined || c.chargingLimitSource.includes('CSO');
    for (const stationId of sourceOk ? scope.stationIds() : []) {
      for (const p of this.profilesOf(stationId)) {
        const evseId = scope.toUpstream({ stationId, evseId: p.evseId });
        if (evseId === undefined || (req.evseId !== undefined && evseId !== req.evseId)) continue;
        if (purpose !== undefined && p.purpose !== purpose) continue;
        if (c.chargingProfilePurpose !== undefined && purpose === undefined) continue;
        if (c.stackLevel !== undefined && p.stackLevel !== c.stackLevel) continue;
        if (c.chargingProfileId !== undefined && !c.chargingProfileId.includes(p.id)) continue;
        const target = { stationId, evseId: p.evseId };
        const wireTx = p.transactionId === undefined ? undefined
          : (scope.wireTransactionId ? scope.wireTransactionId(target, p.transactionId) : p.transactionId);
        const group = byEvse.get(evseId) ?? new Map<number, Record<string, unknown>>();
        group.set(p.id, profileTo2x(p, scope.version, wireTx)); // evse-0 profiles kept per station appear once
        byEvse.set(evseId, group);
      }
    }
    if (byEvse.size === 0) return { status: 'NoProfiles' };
    const groups = [...byEvse.entries()].sort(([a], [b]) => a - b);
    const reports = groups.map(([evseId, group], i) => ({
      requestId: req.requestId,
      chargingLimitSource: 'CSO',
      evseId,
      chargingProfile: [...group.values()],
      ...(i < groups.length - 1 ? { tbc: true } : {}),
    }));
    // After the answer has gone out: the reports follow it, in order.
    this.reports = this.reports.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.sendReports(scope, reports));
    return { status: 'Accepted' };
  }

  private async sendReports(scope: ProfileScope, reports: Record<string, unknown>[]): Promise<void> {
    for (const report of reports) {
      try {
        await scope.send('ReportChargingProfiles', report);
      } catch (err) {
        this.deps.log.warn({ link: scope.name, requestId: report['requestId'], err: err instanceof Error ? err.message : String(err) }, 'ReportChargingProfiles not delivered');
        return;
      }
    }
  }

  // ---- GetCompositeSchedule ------------------------------------------------------------------

  private composite(scope: ProfileScope, payload: unknown): Answer {
    let wireEvseId: number;
    let durationS: number;
    let unit: RateUnit | undefined;
    if (scope.version === '1.6') {
      const req = checked<GetCompositeSchedule16>(scope, 'GetCompositeSchedule', payload);
      [wireEvseId, durationS, unit] = [req.connectorId, req.duration, req.chargingRateUnit];
    } else {
      const req = checked<GetCompositeSchedule2x>(scope, 'GetCompositeSchedule', payload);
      [wireEvseId, durationS, unit] = [req.evseId, req.duration, req.chargingRateUnit];
    }
    try {
      if (durationS < 0) throw new Refusal('InvalidValue', `duration ${durationS} s is negative`);
      const targets = scope.toDownstream(wireEvseId);
      if (targets.length === 0) throw new Refusal('UnknownEVSE', `EVSE ${wireEvseId} is not one the hub manages`);
      const nowMs = this.deps.clock.nowMs();
      const horizonS = Math.min(durationS, this.maxCompositeS);
      const schedule = wireEvseId === 0
        ? this.composites.grid(!!scope.siteWide, targets.map((t) => t.stationId), nowMs, horizonS, unit ?? 'A')
        : this.composites.evse(targets[0], nowMs, horizonS, unit);
      if (!schedule) throw new Refusal('UnknownEVSE', wireEvseId === 0 ? 'no EVSE the hub manages' : 'EVSE is not one the hub manages');
      return scope.version === '1.6' ? compositeTo16(schedule, wireEvseId) : compositeTo2x(schedule, wireEvseId, scope.version);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      this.deps.log.info({ link: scope.name, evseId: wireEvseId, reason: err.detail }, 'GetCompositeSchedule rejected');
      return rejected(scope, err);
    }
  }

  private modelOf(stationId: string, evseId: number): EvseModel | undefined {
    return this.composites.modelOf(stationId, evseId);
  }

  // ---- housekeeping --------------------------------------------------------------------------

  /** A TxProfile ends with its transaction (OCPP): drop those whose transaction no longer runs. */
  private pruneEndedTxProfiles(scope: ProfileScope): void {
    for (const stationId of scope.stationIds()) {
      let dropped = false;
      for (const p of this.profilesOf(stationId)) {
        if (p.purpose !== 'TxProfile') continue;
        if (this.deps.activeTransactionOf(stationId, p.evseId)?.id === p.transactionId) continue;
        dropped = this.deps.store.profiles.delete(stationId, 'csms', p.id) || dropped;
      }
      if (!dropped) continue;
      this.byStation.clear();
      this.deps.onChange(stationId);
    }
  }
}

function rejected(scope: ProfileScope, refusal: Refusal): Answer {
  if (scope.version === '1.6') return { status: 'Rejected' };
  return { status: 'Rejected', statusInfo: { reasonCode: refusal.reasonCode, additionalInfo: refusal.detail.slice(0, 512) } };
}
