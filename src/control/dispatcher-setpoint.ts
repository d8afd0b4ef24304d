import type { OcppVersion } from '../ocpp/versions.js';
import { wireSetpoint, type WireSetpoint } from './profile-payload.js';
import type { EvseTarget } from './dispatcher-types.js';

/** The setpoint a target would put on the wire: only for OCPP 2.1 and only when it has one. */
export function setpointOf(target: EvseTarget, version: OcppVersion): WireSetpoint | undefined {
  if (version !== '2.1' || target.setpointW === undefined) return undefined;
  return wireSetpoint(target.limitA, target.numberPhases ?? 3, {
    setpointW: target.setpointW,
    ...(target.dischargeLimitW !== undefined ? { dischargeLimitW: target.dischargeLimitW } : {}),
    operationMode: target.operationMode ?? 'CentralSetpoint',
    voltageV: target.voltageV ?? 230,
  });
}

export function sameSetpoint(a: WireSetpoint | undefined, b: WireSetpoint | undefined): boolean {
  if (!a || !b) return a === b;
  return a.setpointW === b.setpointW && a.dischargeLimitW === b.dischargeLimitW && a.operationMode === b.operationMode;
}

/**
 * Less charging power than what the EVSE has: a lower setpoint, a tighter discharge limit, or a
 * setpoint that appears, goes or changes mode (a change of how the EVSE is driven: at once).
 */
export function setpointDecreased(want: WireSetpoint | undefined, had: WireSetpoint | undefined): boolean {
  if (!want || !had) return want !== had;
  if (want.operationMode !== had.operationMode) return true;
  return want.setpointW < had.setpointW || (want.dischargeLimitW ?? Number.NEGATIVE_INFINITY) > (had.dischargeLimitW ?? Number.NEGATIVE_INFINITY);
}

/** More power than the EVSE has by more than the hysteresis: a higher setpoint or a looser discharge limit. */
export function setpointIncreased(want: WireSetpoint | undefined, had: WireSetpoint | undefined, hysteresisW: number): boolean {
  if (!want || !had) return false;
  const looser = (want.dischargeLimitW ?? Number.NEGATIVE_INFINITY) < (had.dischargeLimitW ?? Number.NEGATIVE_INFINITY) - hysteresisW - 1e-9;
  return want.setpointW > had.setpointW + hysteresisW + 1e-9 || looser;
}
