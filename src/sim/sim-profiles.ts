/**
 * The charging profiles installed in one simulated station: which it accepts (rate unit, stack
 * level, transaction), the current they offer an EVSE at a time, and the composite schedule.
 */
import type { ChargingProfile, RateUnit } from '../energy/charging-profile.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { compositeSchedule, effectiveLimitA, type CompositePeriod, type ProfileEvalContext } from './profile-eval.js';
import { clearProfiles, dropTxProfiles, installProfile, type ClearCriteria } from './profile-store.js';
import type { SimEvse } from './sim-evse.js';
import type { SimSettings } from './sim-settings.js';

export interface SimProfilesDeps {
  clock: Clock;
  log: Logger;
  settings: SimSettings;
  evses: readonly SimEvse[];
  /** Applies a change of the installed profiles (the station brings its physics up to now around it). */
  change(apply: () => void): void;
}

export class SimProfiles {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly settings: SimSettings;
  private readonly evses: readonly SimEvse[];
  private readonly change: (apply: () => void) => void;
  private profiles: ChargingProfile[] = [];

  constructor(deps: SimProfilesDeps) {
    this.clock = deps.clock;
    this.log = deps.log;
    this.settings = deps.settings;
    this.evses = deps.evses;
    this.change = deps.change;
  }

  /** The installed profiles that concern the EVSE (its own and the station-wide ones). */
  forEvse(evseId: number): ChargingProfile[] {
    return this.profiles.filter((p) => p.evseId === 0 || p.evseId === evseId);
  }

  /** The limit the profiles set the EVSE at tMs, and which profile sets it; undefined when none does. */
  limitAt(evse: SimEvse, tMs: number): { limitA: number; source: string } | undefined {
    return effectiveLimitA(this.profiles, tMs, this.evalContext(evse));
  }

  /** Current offered to the EV per phase at tMs, A: the profiles' limit within the EVSE's maximum. */
  offeredAt(evse: SimEvse, tMs: number): number {
    const limitA = this.limitAt(evse, tMs)?.limitA ?? evse.maxCurrentA;
    return Math.max(0, Math.min(evse.maxCurrentA, limitA));
  }

  /** A profile from the CSMS: Rejected in a rate unit or at a stack level the station does not take, or for no such transaction. */
  install(profile: ChargingProfile): 'Accepted' | 'Rejected' {
    const unitRefused = profile.schedules.find((sc) => !this.settings.rateUnits.includes(sc.rateUnit));
    if (unitRefused || profile.stackLevel > this.settings.maxStackLevel) {
      this.log.info({ profileId: profile.id, stackLevel: profile.stackLevel, rateUnit: unitRefused?.rateUnit }, 'charging profile refused (rate unit or stack level not supported)');
      return 'Rejected';
    }
    if (profile.purpose === 'TxProfile') {
      const tx = this.evses[profile.evseId - 1]?.tx;
      if (!tx || (profile.transactionId !== undefined && profile.transactionId !== tx.id)) return 'Rejected';
    }
    this.change(() => (this.profiles = installProfile(this.profiles, profile)));
    this.log.info({ profileId: profile.id, evseId: profile.evseId, purpose: profile.purpose }, 'charging profile installed');
    return 'Accepted';
  }

  /** Removes the profiles that match; returns how many. */
  clear(criteria: ClearCriteria): number {
    let removed = 0;
    this.change(() => {
      const r = clearProfiles(this.profiles, criteria);
      this.profiles = r.profiles;
      removed = r.removed;
    });
    return removed;
  }

  /** Installs the TxProfile that came with a remote start, once its transaction has an id. */
  installForTransaction(profile: ChargingProfile, evseId: number, transactionId: string): void {
    this.profiles = installProfile(this.profiles, { ...profile, evseId, transactionId });
  }

  /** Drops the EVSE's TxProfiles when its transaction ends. */
  dropTransaction(evseId: number): void {
    this.profiles = dropTxProfiles(this.profiles, evseId);
  }

  /** The composite schedule of an EVSE (0: the station) from now for durationS. */
  composite(evseId: number, durationS: number, rateUnit: RateUnit): { startMs: number; periods: CompositePeriod[] } | undefined {
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
}
