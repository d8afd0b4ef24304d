/**
 * Wire charging profiles (1.6 and 2.x) to the internal ChargingProfile (pure).
 * An Absolute or Recurring schedule without startSchedule starts when it was received (nowMs).
 */
import type { ChargingProfile, ChargingProfilePurpose, ChargingSchedule } from '../energy/charging-profile.js';
import type { ChargingProfile16 } from './wire-16.js';
import type { ChargingProfile2x, ChargingSchedule2x } from './wire-2x.js';

const PURPOSES_2X: readonly ChargingProfilePurpose[] = [
  'ChargingStationMaxProfile',
  'TxDefaultProfile',
  'TxProfile',
  'ChargingStationExternalConstraints',
  'PriorityCharging',
  'LocalGeneration',
];

export function purposeFrom16(p: ChargingProfile16['chargingProfilePurpose']): ChargingProfilePurpose {
  return p === 'ChargePointMaxProfile' ? 'ChargingStationMaxProfile' : p;
}

export function purposeFrom2x(p: string): ChargingProfilePurpose | undefined {
  return PURPOSES_2X.find((x) => x === p);
}

function parseMs(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

function defaultStart(kind: ChargingProfile['kind'], startMs: number | undefined, nowMs: number): number | undefined {
  return kind === 'Relative' ? undefined : (startMs ?? nowMs);
}

export function profileFrom16(cp: ChargingProfile16, connectorId: number, nowMs: number): ChargingProfile {
  const s = cp.chargingSchedule;
  const schedule: ChargingSchedule = {
    startScheduleMs: defaultStart(cp.chargingProfileKind, parseMs(s.startSchedule), nowMs),
    durationS: s.duration,
    rateUnit: s.chargingRateUnit,
    periods: s.chargingSchedulePeriod.map((p) => ({ startPeriodS: p.startPeriod, limit: p.limit, numberPhases: p.numberPhases })),
    minChargingRate: s.minChargingRate,
  };
  return {
    id: cp.chargingProfileId,
    stackLevel: cp.stackLevel,
    purpose: purposeFrom16(cp.chargingProfilePurpose),
    kind: cp.chargingProfileKind,
    recurrency: cp.recurrencyKind,
    validFromMs: parseMs(cp.validFrom),
    validToMs: parseMs(cp.validTo),
    transactionId: cp.transactionId === undefined ? undefined : String(cp.transactionId),
    evseId: connectorId,
    schedules: [schedule],
  };
}

function scheduleFrom2x(s: ChargingSchedule2x, kind: ChargingProfile['kind'], nowMs: number): ChargingSchedule {
  return {
    id: s.id,
    startScheduleMs: defaultStart(kind, parseMs(s.startSchedule), nowMs),
    durationS: s.duration,
    rateUnit: s.chargingRateUnit,
    periods: s.chargingSchedulePeriod.map((p) => ({
      startPeriodS: p.startPeriod,
      // 2.1 allows a period without a limit (setpoint only): it then does not limit.
      limit: p.limit ?? Number.POSITIVE_INFINITY,
      numberPhases: p.numberPhases,
      limitL2: p.limit_L2,
      limitL3: p.limit_L3,
      setpoint: p.setpoint,
      dischargeLimit: p.dischargeLimit,
      operationMode: p.operationMode,
    })),
    minChargingRate: s.minChargingRate,
  };
}

/** Undefined when the purpose is unknown. */
export function profileFrom2x(cp: ChargingProfile2x, evseId: number, nowMs: number): ChargingProfile | undefined {
  const purpose = purposeFrom2x(cp.chargingProfilePurpose);
  if (!purpose) return undefined;
  // 2.1 adds a Dynamic kind, which the simulated station does not take.
  const kind = cp.chargingProfileKind;
  if (kind !== 'Absolute' && kind !== 'Recurring' && kind !== 'Relative') return undefined;
  return {
    id: cp.id,
    stackLevel: cp.stackLevel,
    purpose,
    kind,
    recurrency: cp.recurrencyKind,
    validFromMs: parseMs(cp.validFrom),
    validToMs: parseMs(cp.validTo),
    transactionId: cp.transactionId,
    evseId,
    schedules: cp.chargingSchedule.map((s) => scheduleFrom2x(s, kind, nowMs)),
  };
}
