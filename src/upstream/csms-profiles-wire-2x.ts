/**
 * OCPP 2.0.1 / 2.1 charging-profile messages from the CSMS <-> the hub's internal ChargingProfile
 * (pure). Payloads are checked against the official schema before they reach these functions.
 * What the internal model does not carry is not kept: salesTariff and the price schedules,
 * phaseToUse, the 2.1 offline / dynamic-update fields, per-phase setpoints and discharge limits,
 * reactive setpoints, v2xSignalWattCurve, preconditioningRequest, evseSleep, customData.
 */
import type {
  ChargingProfile, ChargingProfileKind, ChargingProfilePurpose, ChargingSchedule,
  SchedulePeriod,
} from '../energy/charging-profile.js';
import type { ClearCriteria, CompositeSchedule } from '../energy/composite/index.js';
import type { OcppVersion } from '../ocpp/versions.js';
import { parseWireTime, wirePeriods, wireTime } from './csms-profiles-wire-time.js';
import type { ChargingSchedulePeriod2x, ChargingSchedule2x, ChargingProfile2x, ClearChargingProfile2x } from '../ocpp/wire/charging-profile-2x.js';

export type {
  ChargingSchedulePeriod2x,
  ChargingSchedule2x,
  ChargingProfile2x,
  SetChargingProfile2x,
  ClearChargingProfile2x,
  GetChargingProfiles2x,
  GetCompositeSchedule2x,
} from '../ocpp/wire/charging-profile-2x.js';

/** A 2.1 period without a limit does not limit: it is kept as this (JSON-safe) value. */
export const UNLIMITED = Number.MAX_VALUE;

const PURPOSES: readonly ChargingProfilePurpose[] = [
  'ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile', 'ChargingStationExternalConstraints',
  'PriorityCharging', 'LocalGeneration',
];
const KINDS: readonly ChargingProfileKind[] = ['Absolute', 'Recurring', 'Relative'];

export function purposeFrom2x(p: string | undefined): ChargingProfilePurpose | undefined {
  return PURPOSES.find((x) => x === p);
}

function periodFrom2x(p: ChargingSchedulePeriod2x): SchedulePeriod {
  return {
    startPeriodS: p.startPeriod,
    limit: p.limit ?? UNLIMITED,
    ...(p.numberPhases !== undefined ? { numberPhases: p.numberPhases } : {}),
    ...(p.limit_L2 !== undefined ? { limitL2: p.limit_L2 } : {}),
    ...(p.limit_L3 !== undefined ? { limitL3: p.limit_L3 } : {}),
    ...(p.operationMode !== undefined ? { operationMode: p.operationMode } : {}),
    ...(p.setpoint !== undefined ? { setpoint: p.setpoint } : {}),
    ...(p.dischargeLimit !== undefined ? { dischargeLimit: p.dischargeLimit } : {}),
    ...(p.v2xBaseline !== undefined ? { v2xBaseline: p.v2xBaseline } : {}),
    ...(p.v2xFreqWattCurve !== undefined ? { v2xFreqWattCurve: p.v2xFreqWattCurve } : {}),
  };
}

function scheduleFrom2x(s: ChargingSchedule2x): ChargingSchedule | string {
  const startScheduleMs = parseWireTime(s.startSchedule);
  if (Number.isNaN(startScheduleMs)) return `schedule ${s.id} has a startSchedule that is not a date-time`;
  return {
    id: s.id,
    ...(startScheduleMs !== undefined ? { startScheduleMs } : {}),
    ...(s.duration !== undefined ? { durationS: s.duration } : {}),
    rateUnit: s.chargingRateUnit,
    periods: s.chargingSchedulePeriod.map(periodFrom2x),
    ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
  };
}

/**
 * The internal profile of a 2.x chargingProfile on `evseId`, or why it cannot be read.
 * `localTx` maps the CSMS's transaction id to the hub's (undefined: unknown transaction).
 */
export function profileFrom2x(
  cp: ChargingProfile2x, evseId: number, localTx: (wireId: string) => string | undefined,
): ChargingProfile | string {
  const purpose = purposeFrom2x(cp.chargingProfilePurpose);
  if (!purpose) return `purpose ${cp.chargingProfilePurpose} is not supported`;
  const kind = KINDS.find((k) => k === cp.chargingProfileKind);
  if (!kind) return `kind ${cp.chargingProfileKind} is not supported`;
  const validFromMs = parseWireTime(cp.validFrom);
  const validToMs = parseWireTime(cp.validTo);
  if (Number.isNaN(validFromMs) || Number.isNaN(validToMs)) return 'validFrom or validTo is not a date-time';
  let transactionId: string | undefined;
  if (cp.transactionId !== undefined) {
    transactionId = localTx(cp.transactionId);
    if (transactionId === undefined) return `transaction ${cp.transactionId} is not known`;
  }
  const schedules: ChargingSchedule[] = [];
  for (const s of cp.chargingSchedule) {
    const schedule = scheduleFrom2x(s);
    if (typeof schedule === 'string') return schedule;
    schedules.push(schedule);
  }
  return {
    id: cp.id,
    stackLevel: cp.stackLevel,
    purpose,
    kind,
    ...(cp.recurrencyKind !== undefined ? { recurrency: cp.recurrencyKind } : {}),
    ...(validFromMs !== undefined ? { validFromMs } : {}),
    ...(validToMs !== undefined ? { validToMs } : {}),
    ...(transactionId !== undefined ? { transactionId } : {}),
    evseId,
    schedules,
  };
}

function periodTo2x(p: SchedulePeriod, v21: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { startPeriod: p.startPeriodS };
  if (p.limit !== UNLIMITED || !v21) out['limit'] = p.limit;
  if (p.numberPhases !== undefined) out['numberPhases'] = p.numberPhases;
  if (!v21) return out;
  if (p.limitL2 !== undefined) out['limit_L2'] = p.limitL2;
  if (p.limitL3 !== undefined) out['limit_L3'] = p.limitL3;
  if (p.setpoint !== undefined) out['setpoint'] = p.setpoint;
  if (p.dischargeLimit !== undefined) out['dischargeLimit'] = p.dischargeLimit;
  if (p.operationMode !== undefined) out['operationMode'] = p.operationMode;
  if (p.v2xBaseline !== undefined) out['v2xBaseline'] = p.v2xBaseline;
  if (p.v2xFreqWattCurve !== undefined) out['v2xFreqWattCurve'] = p.v2xFreqWattCurve;
  return out;
}

/**
 * A stored profile as a 2.x ChargingProfileType (for ReportChargingProfiles), with the
 * transaction id the CSMS knows (`wireTx`).
 */
export function profileTo2x(p: ChargingProfile, version: OcppVersion, wireTx?: string): Record<string, unknown> {
  const v21 = version === '2.1';
  return {
    id: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: p.purpose,
    chargingProfileKind: p.kind,
    ...(p.recurrency !== undefined ? { recurrencyKind: p.recurrency } : {}),
    ...(p.validFromMs !== undefined ? { validFrom: wireTime(p.validFromMs) } : {}),
    ...(p.validToMs !== undefined ? { validTo: wireTime(p.validToMs) } : {}),
    ...(wireTx !== undefined ? { transactionId: wireTx } : {}),
    chargingSchedule: p.schedules.map((s, i) => ({
      id: s.id ?? i + 1,
      ...(s.startScheduleMs !== undefined ? { startSchedule: wireTime(s.startScheduleMs) } : {}),
      ...(s.durationS !== undefined ? { duration: s.durationS } : {}),
      chargingRateUnit: s.rateUnit,
      chargingSchedulePeriod: s.periods.map((q) => periodTo2x(q, v21)),
      ...(s.minChargingRate !== undefined ? { minChargingRate: s.minChargingRate } : {}),
    })),
  };
}

/** ClearChargingProfile criteria (EVSE ids still the link's; the caller maps them). */
export function clearCriteriaFrom2x(req: ClearChargingProfile2x): ClearCriteria | string {
  const c = req.chargingProfileCriteria;
  const purpose = c?.chargingProfilePurpose === undefined ? undefined : purposeFrom2x(c.chargingProfilePurpose);
  if (c?.chargingProfilePurpose !== undefined && purpose === undefined) return `purpose ${c.chargingProfilePurpose} is not supported`;
  return {
    ...(req.chargingProfileId !== undefined ? { id: req.chargingProfileId } : {}),
    ...(c?.evseId !== undefined ? { evseId: c.evseId } : {}),
    ...(purpose !== undefined ? { purpose } : {}),
    ...(c?.stackLevel !== undefined ? { stackLevel: c.stackLevel } : {}),
  };
}

/** GetCompositeSchedule response for an Accepted composite, on the link's EVSE id. */
export function compositeTo2x(schedule: CompositeSchedule, evseId: number, version: OcppVersion): Record<string, unknown> {
  return {
    status: 'Accepted',
    schedule: {
      evseId,
      duration: Math.round(schedule.durationS),
      scheduleStart: new Date(schedule.scheduleStartMs).toISOString(),
      chargingRateUnit: schedule.rateUnit,
      chargingSchedulePeriod: wirePeriods(schedule.periods, { extras: version === '2.1' }),
    },
  };
}
