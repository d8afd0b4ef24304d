/**
 * OCPP 1.6 charging-profile messages from the CSMS <-> the hub's internal ChargingProfile (pure).
 * Payloads are checked against the official schema before they reach these functions.
 * 1.6 connector N is EVSE N; connector 0 is the station. 1.6 names a TxProfile's transaction by
 * the CSMS's integer id: the caller maps it to the hub's id (`localTx`).
 */
import type { ChargingProfile, ChargingProfilePurpose } from '../energy/charging-profile.js';
import type { ClearCriteria, CompositeSchedule } from '../energy/composite/index.js';
import { parseWireTime, wirePeriods, type WirePeriodOptions } from './csms-profiles-wire-time.js';

export type {
  ChargingSchedule16,
  ChargingProfile16,
  SetChargingProfile16,
  ClearChargingProfile16,
  GetCompositeSchedule16,
} from '../ocpp/wire/charging-profile-16.js';
import type { ChargingProfile16, ClearChargingProfile16 } from '../ocpp/wire/charging-profile-16.js';

export function purposeFrom16(p: ChargingProfile16['chargingProfilePurpose']): ChargingProfilePurpose {
  return p === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : p;
}

/**
 * The internal profile of a 1.6 csChargingProfiles on `evseId`, or why it cannot be read.
 * `localTx` maps the CSMS's transaction id to the hub's (undefined: unknown transaction).
 */
export function profileFrom16(
  cp: ChargingProfile16, evseId: number, localTx: (csmsId: string) => string | undefined,
): ChargingProfile | string {
  const s = cp.chargingSchedule;
  const startScheduleMs = parseWireTime(s.startSchedule);
  const validFromMs = parseWireTime(cp.validFrom);
  const validToMs = parseWireTime(cp.validTo);
  if (Number.isNaN(startScheduleMs) || Number.isNaN(validFromMs) || Number.isNaN(validToMs)) return 'a date-time is not valid';
  let transactionId: string | undefined;
  if (cp.transactionId !== undefined) {
    transactionId = localTx(String(cp.transactionId));
    if (transactionId === undefined) return `transaction ${cp.transactionId} is not known`;
  }
  return {
    id: cp.chargingProfileId,
    stackLevel: cp.stackLevel,
    purpose: purposeFrom16(cp.chargingProfilePurpose),
    kind: cp.chargingProfileKind,
    ...(cp.recurrencyKind !== undefined ? { recurrency: cp.recurrencyKind } : {}),
    ...(validFromMs !== undefined ? { validFromMs } : {}),
    ...(validToMs !== undefined ? { validToMs } : {}),
    ...(transactionId !== undefined ? { transactionId } : {}),
    evseId,
    schedules: [{
      ...(startScheduleMs !== undefined ? { startScheduleMs } : {}),
      ...(s.duration !== undefined ? { durationS: s.duration } : {}),
      rateUnit: s.chargingRateUnit,
      periods: s.chargingSchedulePeriod.map((p) => ({
        startPeriodS: p.startPeriod,
        limit: p.limit,
        ...(p.numberPhases !== undefined ? { numberPhases: p.numberPhases } : {}),
      })),
      ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
    }],
  };
}

/** ClearChargingProfile criteria (connector N = EVSE N). */
export function clearCriteriaFrom16(req: ClearChargingProfile16): ClearCriteria {
  return {
    ...(req.id !== undefined ? { id: req.id } : {}),
    ...(req.connectorId !== undefined ? { evseId: req.connectorId } : {}),
    ...(req.chargingProfilePurpose !== undefined ? { purpose: purposeFrom16(req.chargingProfilePurpose) } : {}),
    ...(req.stackLevel !== undefined ? { stackLevel: req.stackLevel } : {}),
  };
}

/** GetCompositeSchedule.conf for an Accepted composite. */
export function compositeTo16(schedule: CompositeSchedule, connectorId: number): Record<string, unknown> {
  const start = new Date(schedule.scheduleStartMs).toISOString();
  const options: WirePeriodOptions = { extras: false };
  return {
    status: 'Accepted',
    connectorId,
    scheduleStart: start,
    chargingSchedule: {
      duration: Math.round(schedule.durationS),
      startSchedule: start,
      chargingRateUnit: schedule.rateUnit,
      chargingSchedulePeriod: wirePeriods(schedule.periods, options),
    },
  };
}
