import type { OcppVersion } from '../ocpp/versions.js';
import { isoTime } from '../util/clock.js';

/** One of the hub's own profiles on one EVSE: a single Absolute period in A, open-ended. */
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
      chargingRateUnit: 'A';
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
      chargingRateUnit: 'A';
      startSchedule: string;
      chargingSchedulePeriod: { startPeriod: number; limit: number; numberPhases?: number }[];
    }[];
  };
}

/** A current rounded down to the 0.1 A the schemas allow (never up: a limit must not grow). */
export function wireLimitA(limitA: number): number {
  if (!Number.isFinite(limitA) || limitA <= 0) return 0;
  return Math.floor(limitA * 10 + 1e-9) / 10;
}

/**
 * The SetChargingProfile request for a hub profile in the EVSE's own OCPP version. The purpose
 * is TxDefaultProfile: it applies with or without a transaction (a TxProfile needs a running
 * transaction and dies with it), so one profile covers idle, plug-in and charging alike.
 */
export function setChargingProfilePayload(version: OcppVersion, p: HubProfile): SetChargingProfile16 | SetChargingProfile2x {
  const period: { startPeriod: number; limit: number; numberPhases?: number } = { startPeriod: 0, limit: wireLimitA(p.limitA) };
  if (p.numberPhases !== undefined) period.numberPhases = p.numberPhases;
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
        chargingSchedule: { chargingRateUnit: 'A', startSchedule, chargingSchedulePeriod: [period] },
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
      chargingSchedule: [{ id: p.profileId, chargingRateUnit: 'A', startSchedule, chargingSchedulePeriod: [period] }],
    },
  };
}

/** The status of a SetChargingProfile answer (`Accepted`, `Rejected`, 1.6 `NotSupported`), if any. */
export function answerStatus(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null || !('status' in answer)) return undefined;
  return typeof answer.status === 'string' ? answer.status : undefined;
}
