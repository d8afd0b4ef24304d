import type { ChargingProfile, ChargingProfilePurpose, SchedulePeriod } from '../charging-profile.js';
import type { CompositeRequest, EffectiveLimit, TimedLimit } from './types.js';
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

type WinnerKey =
  | 'PriorityCharging' | 'TxProfile' | 'TxDefaultProfile' | 'ChargingStationMaxProfile'
  | 'ExternalStation' | 'ExternalEvse' | 'LocalGenerationStation' | 'LocalGenerationEvse';

const CAP_KEYS: readonly WinnerKey[] = [
  'ChargingStationMaxProfile', 'ExternalStation', 'ExternalEvse', 'LocalGenerationStation', 'LocalGenerationEvse',
];

function winnerKey(purpose: ChargingProfilePurpose, evseId: number): WinnerKey {
  switch (purpose) {
    case 'ChargingStationExternalConstraints': return evseId === 0 ? 'ExternalStation' : 'ExternalEvse';
    case 'LocalGeneration': return evseId === 0 ? 'LocalGenerationStation' : 'LocalGenerationEvse';
    default: return purpose;
  }
}

function pickWinners(entries: readonly ActiveEntry[]): Partial<Record<WinnerKey, ActiveEntry>> {
  const winners: Partial<Record<WinnerKey, ActiveEntry>> = {};
  for (const e of entries) {
    const key = winnerKey(e.profile.purpose, e.profile.evseId);
    const best = winners[key];
    if (!best || beats(e.profile, best.profile)) winners[key] = e;
  }
  return winners;
}

export function localLimitInForce(limit: TimedLimit, tMs: number): boolean {
  return (limit.fromMs === undefined || limit.fromMs <= tMs) && (limit.toMs === undefined || tMs < limit.toMs);
}

function usablePhases(n: number | undefined): n is number {
  return n !== undefined && n >= 1;
}

/**
 * The effective limit at one instant from the profiles in force then (already filtered to this
 * EVSE and transaction, see relevantProfiles) and the local limits in force then.
 */
export function resolveInstant(
  req: CompositeRequest, entries: readonly ActiveEntry[], localLimits: readonly TimedLimit[],
): EffectiveLimit {
  const winners = pickWinners(entries);
  const charging = winners.PriorityCharging ?? winners.TxProfile ?? winners.TxDefaultProfile;
  const { voltageV } = req.evse;

  let phases: number = req.evse.phases;
  if (usablePhases(charging?.period.numberPhases)) phases = Math.min(phases, charging.period.numberPhases);
  for (const l of localLimits) if (usablePhases(l.numberPhases)) phases = Math.min(phases, l.numberPhases);

  let limitA = Infinity;
  let source = 'evse:max';
  const offer = (amps: number, from: string): void => {
    if (amps < limitA) {
      limitA = amps;
      source = from;
    }
  };

  let dischargeA: number | undefined;
  const offerDischarge = (entry: ActiveEntry): void => {
    const dl = entry.period.dischargeLimit;
    if (dl === undefined) return;
    const amps = toAmps(dl, entry.profile.schedules[0]?.rateUnit ?? 'A', voltageV, phases);
    dischargeA = dischargeA === undefined ? amps : Math.max(dischargeA, amps);
  };

  const offerEntry = (entry: ActiveEntry): void => {
    const unit = entry.profile.schedules[0]?.rateUnit ?? 'A';
    offer(toAmps(entry.period.limit, unit, voltageV, phases), profileSource(entry.profile));
    offerDischarge(entry);
  };

  if (charging) offerEntry(charging);
  for (const key of CAP_KEYS) {
    const cap = winners[key];
    if (cap) offerEntry(cap);
  }
  for (const l of localLimits) {
    if (l.maxCurrentA !== undefined) offer(l.maxCurrentA, l.source);
    if (l.maxPowerW !== undefined) offer(toAmps(l.maxPowerW, 'W', voltageV, phases), l.source);
  }
  offer(req.evse.maxCurrentA, 'evse:max');
  if (req.evse.maxPowerW !== undefined) offer(toAmps(req.evse.maxPowerW, 'W', voltageV, phases), 'evse:max');

  const unit = req.rateUnit;
  const limit = Math.max(0, floorTenth(fromAmps(limitA, unit, voltageV, phases)));
  const result: EffectiveLimit = { limit, numberPhases: phases, source };

  if (dischargeA !== undefined) {
    dischargeA = Math.min(0, Math.max(dischargeA, -req.evse.maxCurrentA));
    result.dischargeLimit = ceilTenth(fromAmps(dischargeA, unit, voltageV, phases));
  }
  const setpoint = charging?.period.setpoint;
  if (charging && setpoint !== undefined) {
    const unitIn = charging.profile.schedules[0]?.rateUnit ?? 'A';
    const raw = roundTenth(fromAmps(toAmps(setpoint, unitIn, voltageV, phases), unit, voltageV, phases));
    const floor = result.dischargeLimit ?? ceilTenth(fromAmps(-req.evse.maxCurrentA, unit, voltageV, phases));
    result.setpoint = Math.min(limit, Math.max(floor, raw));
  }
  if (charging?.period.operationMode !== undefined) result.operationMode = charging.period.operationMode;
  return result;
}
