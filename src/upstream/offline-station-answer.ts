import { GenericError } from '../ocpp/errors.js';
import { validatePayload } from '../ocpp/schema-validator.js';
import type { OcppVersion } from '../ocpp/versions.js';

/**
 * The answer to a CSMS call for a station that is not connected, given at once: `{status:
 * 'Rejected'}` where that is a complete, valid response of the action in the station's version
 * (RemoteStart/Stop, Reset, ChangeConfiguration, SetChargingProfile, TriggerMessage, ...);
 * otherwise a CALLERROR GenericError "station offline".
 */
export function answerForOfflineStation(version: OcppVersion, action: string, stationId: string): unknown {
  const rejected = { status: 'Rejected' };
  if (validatePayload(version, action, 'conf', rejected) === undefined) return rejected;
  throw new GenericError(`station ${stationId} is offline`);
}
