import type { ChargingProfile, ChargingSchedule } from '../charging-profile.js';

/** What the receiver knows when a profile arrives, for the checks that depend on it. */
export interface ProfileContext {
  /**
   * The transaction running on the profile's EVSE, or null when none runs. Leave it out to skip
   * the transaction checks (e.g. a TxProfile that comes with a remote start).
   */
  activeTransactionId?: string | null;
}

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0;
}

function checkSchedule(s: ChargingSchedule, index: number): string | undefined {
  const at = `schedule ${index}`;
  if (s.periods.length === 0) return `${at} has no periods`;
  if (s.durationS !== undefined && !(s.durationS > 0)) return `${at} has a duration that is not positive`;
  if (s.minChargingRate !== undefined && !(s.minChargingRate >= 0)) return `${at} has a negative minChargingRate`;
  let previous = -Infinity;
  for (const [i, p] of s.periods.entries()) {
    const here = `${at} period ${i}`;
    if (i === 0 && p.startPeriodS !== 0) return `${at} does not start at 0 (first startPeriod ${p.startPeriodS})`;
    if (!isCount(p.startPeriodS)) return `${here} has a startPeriod that is not a whole number of seconds`;
    if (p.startPeriodS <= previous) return `${at} periods are not sorted by startPeriod (period ${i})`;
    previous = p.startPeriodS;
    if (!Number.isFinite(p.limit) || p.limit < 0) return `${here} has a limit that is not a non-negative number`;
    if (p.numberPhases !== undefined && !(Number.isInteger(p.numberPhases) && p.numberPhases >= 1 && p.numberPhases <= 3)) {
      return `${here} has numberPhases outside 1..3`;
    }
    if (p.dischargeLimit !== undefined && !(p.dischargeLimit <= 0)) return `${here} has a positive dischargeLimit`;
    if (p.setpoint !== undefined && !Number.isFinite(p.setpoint)) return `${here} has a setpoint that is not a number`;
  }
  return undefined;
}

/**
 * Why a profile cannot be installed, or undefined when it can. Checks the shape and the OCPP
 * rules that need no more than the profile (and, optionally, the running transaction).
 * Recurring profiles need startScheduleMs (it sets the time of day / week of each cycle); an
 * Absolute one without it runs from the start of charging, like a Relative one.
 */
export function validateProfile(p: ChargingProfile, ctx: ProfileContext = {}): string | undefined {
  if (!Number.isInteger(p.id)) return 'id is not an integer';
  if (!isCount(p.stackLevel)) return 'stackLevel is not a non-negative integer';
  if (!isCount(p.evseId)) return 'evseId is not a non-negative integer';
  if (p.validFromMs !== undefined && p.validToMs !== undefined && p.validFromMs >= p.validToMs) {
    return 'validFrom is not before validTo';
  }
  if (p.purpose === 'ChargingStationMaxProfile' && p.evseId !== 0) return 'ChargingStationMaxProfile must be on evse 0';
  if (p.purpose === 'TxProfile') {
    if (p.evseId === 0) return 'TxProfile must be on a specific EVSE, not evse 0';
    if (ctx.activeTransactionId === null) return 'TxProfile needs a running transaction on the EVSE';
    if (ctx.activeTransactionId !== undefined && p.transactionId !== undefined && p.transactionId !== ctx.activeTransactionId) {
      return `TxProfile is for transaction ${p.transactionId}, but ${ctx.activeTransactionId} runs on the EVSE`;
    }
  } else if (p.transactionId !== undefined) {
    return 'only a TxProfile may name a transaction';
  }
  if (p.kind === 'Recurring' && p.recurrency === undefined) return 'Recurring profile without recurrency (Daily or Weekly)';
  if (p.schedules.length === 0) return 'no schedule';
  for (const [i, s] of p.schedules.entries()) {
    if (p.kind === 'Recurring' && s.startScheduleMs === undefined) return `Recurring schedule ${i} without startSchedule`;
    const problem = checkSchedule(s, i);
    if (problem) return problem;
  }
  return undefined;
}
