import type { CommandOutcome } from '../meters/command-topic.js';
import type { RemoteStartStop } from '../hub-mqtt-out.js';
import { ApiError } from './errors.js';
import type { RemoteControl } from './remote-control.js';

/**
 * Remote start / stop for MQTT commands (Home Assistant's buttons) through the API's own
 * RemoteControl: the same checks (standalone mode, station known, connected and accepted, one
 * request per station at a time, time box) and the same error codes. A start uses `idToken`.
 */
export function mqttRemote(remote: RemoteControl, idToken: string): RemoteStartStop {
  const outcome = async (run: () => Promise<{ transactionId?: string }>): Promise<CommandOutcome> => {
    try {
      const res = await run();
      return { ok: true, ...(res.transactionId !== undefined ? { detail: { transactionId: res.transactionId } } : {}) };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, code: err.code, reason: err.message };
      throw err;
    }
  };
  return {
    start: (stationId, evseId) => outcome(() => remote.start(stationId, evseId, idToken)),
    stop: (stationId, evseId) => outcome(() => remote.stop(stationId, evseId)),
  };
}
