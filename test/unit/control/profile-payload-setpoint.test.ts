import { describe, expect, it } from 'vitest';
import { setChargingProfilePayload, type HubProfile } from '../../../src/control/profile-payload.js';
import { validatePayload } from '../../../src/ocpp/schema-validator.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const base: HubProfile = { evseId: 1, profileId: 1003, stackLevel: 2, limitA: 0, numberPhases: 3, startMs: T0, validToMs: T0 + 300_000 };
const discharging: HubProfile = { ...base, setpoint: { setpointW: -3000, dischargeLimitW: -5000, operationMode: 'CentralSetpoint', voltageV: 230 } };

function periodOf(payload: unknown): Record<string, unknown> {
  const p = payload as { chargingProfile: { chargingSchedule: { chargingRateUnit: string; chargingSchedulePeriod: Record<string, unknown>[] }[] } };
  const schedule = p.chargingProfile.chargingSchedule[0];
  return { rateUnit: schedule?.chargingRateUnit, ...schedule?.chargingSchedulePeriod[0] };
}

describe('setChargingProfilePayload with a setpoint', () => {
  it('gives an OCPP 2.1 EVSE a schema-valid period in W with operationMode, setpoint and dischargeLimit', () => {
    const payload = setChargingProfilePayload('2.1', discharging);
    expect(validatePayload('2.1', 'SetChargingProfile', 'req', payload)).toBeUndefined();
    expect(periodOf(payload)).toEqual({ rateUnit: 'W', startPeriod: 0, limit: 0, numberPhases: 3, operationMode: 'CentralSetpoint', setpoint: -3000, dischargeLimit: -5000 });
  });

  it('sends ExternalSetpoint when asked to', () => {
    const payload = setChargingProfilePayload('2.1', { ...discharging, setpoint: { setpointW: 2000, operationMode: 'ExternalSetpoint', voltageV: 230 }, limitA: 16 });
    expect(validatePayload('2.1', 'SetChargingProfile', 'req', payload)).toBeUndefined();
    expect(periodOf(payload)).toMatchObject({ operationMode: 'ExternalSetpoint', setpoint: 2000, limit: 11_040 });
    expect(periodOf(payload)).not.toHaveProperty('dischargeLimit');
  });

  it('expresses the current limit in W on the phases in use and keeps the setpoint within it', () => {
    const payload = setChargingProfilePayload('2.1', { ...base, numberPhases: 1, limitA: 10, setpoint: { setpointW: 5000, operationMode: 'CentralSetpoint', voltageV: 230 } });
    expect(periodOf(payload)).toMatchObject({ limit: 2300, setpoint: 2300, numberPhases: 1 });
  });

  it('rounds a discharge limit towards 0 and never sends a setpoint below it', () => {
    const payload = setChargingProfilePayload('2.1', { ...base, setpoint: { setpointW: -4000.7, dischargeLimitW: -3999.5, operationMode: 'CentralSetpoint', voltageV: 230 } });
    expect(validatePayload('2.1', 'SetChargingProfile', 'req', payload)).toBeUndefined();
    expect(periodOf(payload)).toMatchObject({ dischargeLimit: -3999, setpoint: -3999 });
  });

  it.each<OcppVersion>(['1.6', '2.0.1'])('sends OCPP %s the current limit alone, as without a setpoint', (version) => {
    const withSetpoint = setChargingProfilePayload(version, { ...discharging, limitA: 6 });
    expect(withSetpoint).toEqual(setChargingProfilePayload(version, { ...base, limitA: 6 }));
    expect(validatePayload(version, 'SetChargingProfile', 'req', withSetpoint)).toBeUndefined();
  });

  it('sends OCPP 2.1 without a setpoint the same A schedule as 2.0.1', () => {
    const payload = setChargingProfilePayload('2.1', { ...base, limitA: 6 });
    expect(validatePayload('2.1', 'SetChargingProfile', 'req', payload)).toBeUndefined();
    expect(payload).toEqual(setChargingProfilePayload('2.0.1', { ...base, limitA: 6 }));
  });
});
