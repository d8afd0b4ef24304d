import type { OcppVersion } from '../ocpp/versions.js';
import { isoTime } from '../util/clock.js';

/** The operation modes the hub sends with a setpoint (OCPP 2.1). */
export type SetpointMode = 'CentralSetpoint' | 'ExternalSetpoint';

/** A signed power setpoint for a 2.1 EVSE (positive charges, negative discharges). */
export interface HubSetpoint {
  /** Power the EV should follow, W (sum of all phases). */
  setpointW: number;
  /** Most negative power allowed, W (<= 0); absent = not given. */
  dischargeLimitW?: number;
  operationMode: SetpointMode;
  /** Phase voltage used to express the current limit in W, V. */
  voltageV: number;
}

/** A setpoint as it goes on the wire, W: rounded, and clamped into [dischargeLimitW, limitW]. */
export interface WireSetpoint {
  /** The charging limit in W (limitA x phases x voltage, rounded down). */
  limitW: number;
  setpointW: number;
  dischargeLimitW?: number;
  operationMode: SetpointMode;
}

/**
 * One of the hub's own profiles on one EVSE: a single Absolute period, open-ended. In A, or, for
 * an OCPP 2.1 EVSE with a setpoint, in W with operationMode, setpoint and dischargeLimit.
 */
export interface HubProfile {
  /** EVSE id on the station (the connectorId in OCPP 1.6). */
  evseId: number;
  profileId: number;
  stackLevel: number;
  /** Max current per phase, A (rounded down to 0.1 A, the resolution OCPP allows). */
  limitA: number;
  numberPhases?: 1 | 3;
  /** startSchedule, ms since the epoch. */
  startMs: number;
  /** validTo (the lease), ms since the epoch; absent = valid until replaced. */
  validToMs?: number;
  /** Sent only to OCPP 2.1 EVSEs (other versions get the current limit alone). */
  setpoint?: HubSetpoint;
  /**
   * Unit the charger takes (read at boot, see charger-capabilities.ts). Default A. In W the limit
   * is limitA x numberPhases (default 3) x voltageV, rounded down to 1 W.
   */
  rateUnit?: 'A' | 'W';
  /** Phase voltage for a limit in W, V. Default 230. */
  voltageV?: number;
}

/** A 2.x schedule period as the hub sends it. */
export interface SchedulePeriod2x {
  startPeriod: number;
  limit: number;
  numberPhases?: number;
  /** 2.1 only. */
  operationMode?: SetpointMode;
  /** 2.1 only: in the schedule's rate unit (the hub sends W). */
  setpoint?: number;
  /** 2.1 only: <= 0, in the schedule's rate unit. */
  dischargeLimit?: number;
}

export interface SetChargingProfile16 {
  connectorId: number;
  csChargingProfiles: {
    chargingProfileId: number;
    stackLevel: number;
    chargingProfilePurpose: 'TxDefaultProfile';
    chargingProfileKind: 'Absolute';
    validTo?: string;
    chargingSchedule: {
      chargingRateUnit: 'A' | 'W';
      startSchedule: string;
      chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number }[];
    };
  };
}

export interface SetChargingProfile2x {
  evseId: number;
  chargingProfile: {
    id: number;
    stackLevel: number;
    chargingProfilePurpose: 'TxDefaultProfile';
    chargingProfileKind: 'Absolute';
    validTo?: string;
    chargingSchedule: {
      id: number;
      chargingRateUnit: 'A' | 'W';
      startSchedule: string;
      chargingSchedulePeriod: SchedulePeriod2x[];
    }[];
  };
}

/** A current rounded down to the 0.1 A the schemas allow (never up: a limit must not grow). */
export function wireLimitA(limitA: number): number {
  if (!Number.isFinite(limitA) || limitA <= 0) return 0;
  return Math.floor(limitA * 10 + 1e-9) / 10;
}

/**
 * A setpoint in W as sent: the limit is the current limit on `phases` phases at the setpoint's
 * voltage, rounded down to 1 W; the discharge limit is rounded towards 0 (never looser); the
 * setpoint is rounded to 1 W and clamped into [dischargeLimit, limit] (a non-finite one is 0).
 */
export function wireSetpoint(limitA: number, phases: number, sp: HubSetpoint): WireSetpoint {
  const voltageV = Number.isFinite(sp.voltageV) && sp.voltageV > 0 ? sp.voltageV : 230;
  const limitW = Math.max(0, Math.floor(wireLimitA(limitA) > 0 ? limitA * phases * voltageV + 1e-6 : 0));
  const dischargeLimitW = sp.dischargeLimitW !== undefined && Number.isFinite(sp.dischargeLimitW) ? Math.min(0, Math.ceil(sp.dischargeLimitW)) + 0 : undefined;
  const wanted = Number.isFinite(sp.setpointW) ? Math.round(sp.setpointW) : 0;
  const setpointW = Math.min(limitW, Math.max(dischargeLimitW ?? Number.NEGATIVE_INFINITY, wanted)) + 0;
  return { limitW, setpointW, ...(dischargeLimitW !== undefined ? { dischargeLimitW } : {}), operationMode: sp.operationMode };
}

/** A current limit as power on the wire: A x phases x voltage, rounded down to 1 W (never up). */
export function wireLimitW(limitA: number, phases: number, voltageV: number): number {
  const a = wireLimitA(limitA);
  const v = Number.isFinite(voltageV) && voltageV > 0 ? voltageV : 230;
  return a > 0 ? Math.floor(a * phases * v + 1e-6) : 0;
}

/**
 * The SetChargingProfile request for a hub profile in the EVSE's own OCPP version and in the
 * rate unit the charger takes (p.rateUnit; a W-only charger gets W). The purpose
 * is TxDefaultProfile: it applies with or without a transaction (a TxProfile needs a running
 * transaction and dies with it), so one profile covers idle, plug-in and charging alike.
 * A setpoint goes only to OCPP 2.1 (the only version with operationMode): that schedule is in W,
 * because the 2.1 setpoint and dischargeLimit are the sum over all phases, which is unambiguous
 * in W only; 1.6 and 2.0.1 get the current limit alone.
 */
export function setChargingProfilePayload(version: OcppVersion, p: HubProfile): SetChargingProfile16 | SetChargingProfile2x {
  const period: SchedulePeriod2x = { startPeriod: 0, limit: wireLimitA(p.limitA) };
  if (p.numberPhases !== undefined) period.numberPhases = p.numberPhases;
  let rateUnit: 'A' | 'W' = 'A';
  if (p.rateUnit === 'W') {
    rateUnit = 'W';
    period.limit = wireLimitW(p.limitA, p.numberPhases ?? 3, p.voltageV ?? 230);
  }
  if (version === '2.1' && p.setpoint) {
    const w = wireSetpoint(p.limitA, p.numberPhases ?? 3, p.setpoint);
    rateUnit = 'W';
    period.limit = w.limitW;
    period.operationMode = w.operationMode;
    period.setpoint = w.setpointW;
    if (w.dischargeLimitW !== undefined) period.dischargeLimit = w.dischargeLimitW;
  }
  const startSchedule = isoTime(p.startMs);
  const validTo = p.validToMs !== undefined ? { validTo: isoTime(p.validToMs) } : {};
  if (version === '1.6') {
    return {
      connectorId: p.evseId,
      csChargingProfiles: {
        chargingProfileId: p.profileId,
        stackLevel: p.stackLevel,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        ...validTo,
        chargingSchedule: { chargingRateUnit: rateUnit, startSchedule, chargingSchedulePeriod: [period] },
      },
    };
  }
  return {
    evseId: p.evseId,
    chargingProfile: {
      id: p.profileId,
      stackLevel: p.stackLevel,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Absolute',
      ...validTo,
      chargingSchedule: [{ id: p.profileId, chargingRateUnit: rateUnit, startSchedule, chargingSchedulePeriod: [period] }],
    },
  };
}

/** The status of a SetChargingProfile answer (`Accepted`, `Rejected`, 1.6 `NotSupported`), if any. */
export function answerStatus(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null || !('status' in answer)) return undefined;
  return typeof answer.status === 'string' ? answer.status : undefined;
}
