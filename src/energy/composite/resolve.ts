import type { ChargingProfile, ChargingProfilePurpose, RateUnit, SchedulePeriod } from '../charging-profile.js';
import type { CompositePeriod, CompositeRequest, EffectiveLimit, TimedLimit } from './types.js';
import { ceilTenth, floorTenth, fromAmps, roundTenth, toAmps } from './units.js';

/**
 * How the profiles in force at one instant combine into one limit.
 *
 * Charging profiles (the EV's own limit):
 * - Within a purpose the highest stackLevel wins. At the same stackLevel an EVSE-specific profile
 *   beats one on evse 0. Across different stack levels the stack level decides, wherever the
 *   profile is installed (an evse-0 TxDefaultProfile at level 5 beats an EVSE's at level 2).
 *   Two profiles left tied (same stack level, kept because their validity does not overlap, so
 *   never both in force) go to the later one in the list.
 * - During a transaction a TxProfile (for that transaction, or with no transaction id) beats every
 *   TxDefaultProfile, whatever the stack levels; when no TxProfile is in force at that instant the
 *   TxDefaultProfile applies. With priority charging requested, PriorityCharging beats both.
 *
 * Caps (minimum with the above):
 * - ChargingStationMaxProfile: only the ones on evse 0 count (others are invalid).
 * - ChargingStationExternalConstraints and LocalGeneration: the winner on evse 0 and the winner
 *   on this EVSE (each by stack level) both cap.
 * - The hub's local limits in force, and the EVSE's own maxCurrentA / maxPowerW.
 * - No profile at all: the EVSE's own maximum, source `evse:max`.
 *
 * Units: all limits are compared in A per phase. The phases in use are the EVSE's phases, reduced
 * by the numberPhases of the charging period and of any local limit (1.6/2.x default 3 for AC).
 * Every W value, including the caps, is converted with those phases: a W cap is a cap on the
 * power actually drawn, whatever phase count its own period states.
 *
 * For evseId 0 (the station as a whole) only evse-0 profiles count, and only the caps: Tx and
 * TxDefault profiles are per EVSE, and the station's connection is given as `evse`.
 *
 * OCPP 2.1: setpoint, dischargeLimit and operationMode come from the winning charging period;
 * dischargeLimit is the tightest (closest to 0) of the charging period's, the caps' and
 * -evse.maxCurrentA; the setpoint is clamped into [dischargeLimit, limit].
 */

/** One profile with its period in force at the instant being resolved. */
export interface ActiveEntry {
  profile: ChargingProfile;
  period: SchedulePeriod;
}

export function profileSource(profile: ChargingProfile): string {
  return `csms:profile ${profile.id}`;
}

/** Does a beat b within one purpose? */
function beats(a: ChargingProfile, b: ChargingProfile): boolean {
  if (a.stackLevel !== b.stackLevel) return a.stackLevel > b.stackLevel;
  const aSpecific = a.evseId > 0;
  const bSpecific = b.evseId > 0;
  if (aSpecific !== bSpecific) return aSpecific;
  return true; // later in the list wins a full tie
}

/** The profiles that win at one instant: the charging one (if any) and the caps, in cap order. */
export interface Winners {
  charging: ActiveEntry | undefined;
  caps: ActiveEntry[];
}

/** Slots of the winners of one instant: 0-2 charging (by precedence), 3-7 caps (in cap order). */
const PRIORITY = 0;
const TX = 1;
const TX_DEFAULT = 2;
const CAP_FIRST = 3;
const SLOTS = 8;

function slotOf(purpose: ChargingProfilePurpose, evseId: number): number {
  switch (purpose) {
    case 'PriorityCharging': return PRIORITY;
    case 'TxProfile': return TX;
    case 'TxDefaultProfile': return TX_DEFAULT;
    case 'ChargingStationMaxProfile': return CAP_FIRST;
    case 'ChargingStationExternalConstraints': return evseId === 0 ? CAP_FIRST + 1 : CAP_FIRST + 2;
    case 'LocalGeneration': return evseId === 0 ? CAP_FIRST + 3 : CAP_FIRST + 4;
  }
}

/**
 * The winners among the entries in force at one instant. `scratch` (length SLOTS) may be passed
 * to save an allocation; it is overwritten.
 */
export function pickWinners(entries: readonly ActiveEntry[], scratch: (ActiveEntry | undefined)[] = new Array<ActiveEntry | undefined>(SLOTS)): Winners {
  scratch.fill(undefined);
  for (const e of entries) {
    const slot = slotOf(e.profile.purpose, e.profile.evseId);
    const best = scratch[slot];
    if (!best || beats(e.profile, best.profile)) scratch[slot] = e;
  }
  const caps: ActiveEntry[] = [];
  for (let i = CAP_FIRST; i < SLOTS; i++) {
    const cap = scratch[i];
    if (cap) caps.push(cap);
  }
  return { charging: scratch[PRIORITY] ?? scratch[TX] ?? scratch[TX_DEFAULT], caps };
}

export function localLimitInForce(limit: TimedLimit, tMs: number): boolean {
  return (limit.fromMs === undefined || limit.fromMs <= tMs) && (limit.toMs === undefined || tMs < limit.toMs);
}

function usablePhases(n: number | undefined): n is number {
  return n !== undefined && n >= 1;
}

function unitOf(profile: ChargingProfile): RateUnit {
  return profile.schedules[0]?.rateUnit ?? 'A';
}

/** The discharge limit so far combined with an entry's (the tightest, closest to 0, wins). */
function withDischarge(dischargeA: number | undefined, entry: ActiveEntry, voltageV: number, phases: number): number | undefined {
  const dl = entry.period.dischargeLimit;
  if (dl === undefined) return dischargeA;
  const amps = toAmps(dl, unitOf(entry.profile), voltageV, phases);
  return dischargeA === undefined ? amps : Math.max(dischargeA, amps);
}

/**
 * The effective limit at one instant from the profiles in force then (already filtered to this
 * EVSE and transaction, see relevantProfiles) and the local limits in force then.
 */
export function resolveInstant(
  req: CompositeRequest, entries: readonly ActiveEntry[], localLimits: readonly TimedLimit[],
): EffectiveLimit {
  return resolveWinners(req, pickWinners(entries), localLimits);
}

/**
 * The effective limit at one instant from its winners and the local limits in force then.
 * Written without closures or per-call allocations besides the result: it runs once per
 * breakpoint of every composite.
 */
export function resolveWinners(req: CompositeRequest, winners: Winners, localLimits: readonly TimedLimit[]): EffectiveLimit {
  return resolveWinnersAt(req, winners, localLimits, undefined);
}

/**
 * resolveWinners for a composite period: with `startOffsetS` the result is a CompositePeriod
 * (startOffsetS first, as computeComposite builds it), made without an intermediate object.
 */
export function resolveWinnersAt(
  req: CompositeRequest, winners: Winners, localLimits: readonly TimedLimit[], startOffsetS: number,
): CompositePeriod;
export function resolveWinnersAt(
  req: CompositeRequest, winners: Winners, localLimits: readonly TimedLimit[], startOffsetS: undefined,
): EffectiveLimit;
export function resolveWinnersAt(
  req: CompositeRequest, winners: Winners, localLimits: readonly TimedLimit[], startOffsetS: number | undefined,
): EffectiveLimit {
  const { charging, caps } = winners;
  const { voltageV } = req.evse;

  let phases: number = req.evse.phases;
  const chargingPhases = charging?.period.numberPhases;
  if (usablePhases(chargingPhases)) phases = Math.min(phases, chargingPhases);
  for (const l of localLimits) if (usablePhases(l.numberPhases)) phases = Math.min(phases, l.numberPhases);

  // The lowest offer wins; on a tie the first offered keeps it. The source text of a profile is
  // only built for the winner.
  let limitA = Infinity;
  let sourceEntry: ActiveEntry | undefined;
  let sourceText = 'evse:max';
  let dischargeA: number | undefined;

  if (charging) {
    const amps = toAmps(charging.period.limit, unitOf(charging.profile), voltageV, phases);
    if (amps < limitA) {
      limitA = amps;
      sourceEntry = charging;
    }
    dischargeA = withDischarge(dischargeA, charging, voltageV, phases);
  }
  for (const cap of caps) {
    const amps = toAmps(cap.period.limit, unitOf(cap.profile), voltageV, phases);
    if (amps < limitA) {
      limitA = amps;
      sourceEntry = cap;
    }
    dischargeA = withDischarge(dischargeA, cap, voltageV, phases);
  }
  for (const l of localLimits) {
    if (l.maxCurrentA !== undefined && l.maxCurrentA < limitA) {
      limitA = l.maxCurrentA;
      sourceEntry = undefined;
      sourceText = l.source;
    }
    if (l.maxPowerW !== undefined) {
      const amps = toAmps(l.maxPowerW, 'W', voltageV, phases);
      if (amps < limitA) {
        limitA = amps;
        sourceEntry = undefined;
        sourceText = l.source;
      }
    }
  }
  if (req.evse.maxCurrentA < limitA) {
    limitA = req.evse.maxCurrentA;
    sourceEntry = undefined;
    sourceText = 'evse:max';
  }
  if (req.evse.maxPowerW !== undefined) {
    const amps = toAmps(req.evse.maxPowerW, 'W', voltageV, phases);
    if (amps < limitA) {
      limitA = amps;
      sourceEntry = undefined;
      sourceText = 'evse:max';
    }
  }

  const unit = req.rateUnit;
  const limit = Math.max(0, floorTenth(fromAmps(limitA, unit, voltageV, phases)));
  const source = sourceEntry ? profileSource(sourceEntry.profile) : sourceText;
  const result: EffectiveLimit = startOffsetS === undefined
    ? { limit, numberPhases: phases, source }
    : { startOffsetS, limit, numberPhases: phases, source } as CompositePeriod;

  if (dischargeA !== undefined) {
    dischargeA = Math.min(0, Math.max(dischargeA, -req.evse.maxCurrentA));
    result.dischargeLimit = ceilTenth(fromAmps(dischargeA, unit, voltageV, phases));
  }
  const setpoint = charging?.period.setpoint;
  if (charging && setpoint !== undefined) {
    const raw = roundTenth(fromAmps(toAmps(setpoint, unitOf(charging.profile), voltageV, phases), unit, voltageV, phases));
    const floor = result.dischargeLimit ?? ceilTenth(fromAmps(-req.evse.maxCurrentA, unit, voltageV, phases));
    result.setpoint = Math.min(limit, Math.max(floor, raw));
  }
  if (charging?.period.operationMode !== undefined) result.operationMode = charging.period.operationMode;
  return result;
}
