import { describe, expect, it } from 'vitest';
import { setChargingProfilePayload, wireLimitA, type HubProfile } from '../../../src/control/profile-payload.js';
import { validatePayload } from '../../../src/ocpp/schema-validator.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import { T0 } from './builders.js';

const base: HubProfile = { evseId: 2, profileId: 1004, stackLevel: 1, limitA: 10.5, numberPhases: 3, startMs: T0 };
const dynamic: HubProfile = { evseId: 2, profileId: 1005, stackLevel: 2, limitA: 7.36, numberPhases: 1, startMs: T0, validToMs: T0 + 300_000 };
const versions: OcppVersion[] = ['1.6', '2.0.1', '2.1'];

describe('SetChargingProfile payloads', () => {
  for (const version of versions) {
    it(`builds a base profile valid against the official OCPP ${version} schema`, () => {
      expect(validatePayload(version, 'SetChargingProfile', 'req', setChargingProfilePayload(version, base))).toBeUndefined();
    });

    it(`builds a leased dynamic profile valid against the official OCPP ${version} schema`, () => {
      expect(validatePayload(version, 'SetChargingProfile', 'req', setChargingProfilePayload(version, dynamic))).toBeUndefined();
    });

    it(`builds a 0 A profile valid against the official OCPP ${version} schema`, () => {
      const paused = { ...dynamic, limitA: 0 };
      expect(validatePayload(version, 'SetChargingProfile', 'req', setChargingProfilePayload(version, paused))).toBeUndefined();
    });
  }

  it('addresses the connector and carries a TxDefaultProfile with the lease in OCPP 1.6', () => {
    expect(setChargingProfilePayload('1.6', dynamic)).toEqual({
      connectorId: 2,
      csChargingProfiles: {
        chargingProfileId: 1005,
        stackLevel: 2,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        validTo: '2026-01-05T08:05:00.000Z',
        chargingSchedule: {
          chargingRateUnit: 'A',
          startSchedule: '2026-01-05T08:00:00.000Z',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 7.3, numberPhases: 1 }],
        },
      },
    });
  });

  it('addresses the EVSE and carries one schedule in OCPP 2.x', () => {
    expect(setChargingProfilePayload('2.0.1', base)).toEqual({
      evseId: 2,
      chargingProfile: {
        id: 1004,
        stackLevel: 1,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [
          {
            id: 1004,
            chargingRateUnit: 'A',
            startSchedule: '2026-01-05T08:00:00.000Z',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 10.5, numberPhases: 3 }],
          },
        ],
      },
    });
  });

  it('rounds limits down to 0.1 A and never below 0', () => {
    expect([wireLimitA(7.39), wireLimitA(7.3), wireLimitA(-1), wireLimitA(Number.NaN)]).toEqual([7.3, 7.3, 0, 0]);
  });
});
