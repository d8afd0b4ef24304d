/**
 * The CSMS's calls of W1 (SetChargingProfile per session, GetCompositeSchedule per day) in
 * OCPP 1.6 and 2.0.1, and how a 1.6 charger answers them.
 */
const iso = (ms: number): string => new Date(ms).toISOString();

/** A day's composite schedule: 32 A, 16 A in the evening peak, 32 A again. */
function periods(): { startPeriod: number; limit: number; numberPhases?: number }[] {
  return [
    { startPeriod: 0, limit: 32, numberPhases: 3 },
    { startPeriod: 25_200, limit: 16, numberPhases: 3 },
    { startPeriod: 36_000, limit: 32, numberPhases: 3 },
  ];
}

export function setChargingProfile16(transactionId: number, profileId: number): object {
  return {
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: profileId,
      transactionId,
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }] },
    },
  };
}

export function getCompositeSchedule16(): object {
  return { connectorId: 1, duration: 86_400, chargingRateUnit: 'A' };
}

export function setChargingProfile2x(evseId: number, transactionId: string, profileId: number): object {
  return {
    evseId,
    chargingProfile: {
      id: profileId,
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId,
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16, numberPhases: 3 }] }],
    },
  };
}

export function getCompositeSchedule2x(evseId: number): object {
  return { duration: 86_400, chargingRateUnit: 'A', evseId };
}

/** A 1.6 charger's answer to a CSMS call. */
export function chargerAnswer16(action: string, nowMs: number): object {
  switch (action) {
    case 'GetCompositeSchedule':
      return {
        status: 'Accepted',
        connectorId: 1,
        scheduleStart: iso(nowMs),
        chargingSchedule: { duration: 86_400, startSchedule: iso(nowMs), chargingRateUnit: 'A', chargingSchedulePeriod: periods() },
      };
    case 'SetChargingProfile':
    case 'ClearChargingProfile':
    case 'ChangeConfiguration':
    case 'RemoteStartTransaction':
    case 'RemoteStopTransaction':
    case 'ChangeAvailability':
    case 'Reset':
      return { status: 'Accepted' };
    case 'TriggerMessage':
      return { status: 'Rejected' };
    default:
      return {};
  }
}
