import { ApiError } from '../api/errors.js';
import type { EvseControls, EvseSettingsPatch } from '../control/evse-controls.js';
import type { SolarMode } from '../energy/solar-mode.js';
import type { CommandOutcome, MqttCommands } from './command-topic.js';

/** MQTT's words for the controls' refusals that it has its own code for; others keep the API's code. */
const MQTT_CODES: Partial<Record<string, string>> = { NOT_FOUND: 'UNKNOWN_EVSE', BAD_REQUEST: 'BAD_PAYLOAD' };

export interface MqttEvseControlsOptions {
  /** Offer the solar mode command (the site runs a solar-surplus strategy). */
  solarModes: boolean;
  /** Offer start / stop (standalone mode), starting with this id token. */
  startIdToken?: string;
}

/**
 * The EVSE commands of MQTT (Home Assistant's select, number and buttons) on the hub's one
 * EvseControls, as the API uses it: the same checks, the same store (answered once durable),
 * source `mqtt`. A refusal is a command result with the controls' reason.
 */
export function mqttEvseControls(controls: EvseControls, options: MqttEvseControlsOptions): Pick<MqttCommands, 'setEvseSolarMode' | 'setEvseMaxCurrent' | 'remote'> {
  // As the REST API: the result is published once the change is on disk (its fsync off the event loop).
  const update = (evseKey: string, patch: EvseSettingsPatch): Promise<CommandOutcome> => outcomeOfAsync(() => controls.updateDurably(evseKey, patch, 'mqtt'));
  const { startIdToken } = options;
  return {
    ...(options.solarModes ? { setEvseSolarMode: (evseKey: string, solarMode: SolarMode) => update(evseKey, { solarMode }) } : {}),
    setEvseMaxCurrent: (evseKey, maxCurrentA) => update(evseKey, { maxCurrentA }),
    ...(startIdToken !== undefined
      ? {
          remote: {
            start: (stationId: string, evseId: number) => outcomeOfAsync(() => controls.start(`${stationId}/${evseId}`, startIdToken)),
            stop: (stationId: string, evseId: number) => outcomeOfAsync(() => controls.stop(`${stationId}/${evseId}`)),
          },
        }
      : {}),
  };
}

function refusal(err: unknown): CommandOutcome {
  if (err instanceof ApiError) return { ok: false, code: MQTT_CODES[err.code] ?? err.code, reason: err.message };
  throw err;
}

async function outcomeOfAsync(run: () => Promise<unknown>): Promise<CommandOutcome> {
  try {
    const res = (await run()) as { transactionId?: unknown } | undefined;
    const transactionId = res?.transactionId;
    return { ok: true, ...(typeof transactionId === 'string' || typeof transactionId === 'number' ? { detail: { transactionId } } : {}) };
  } catch (err) {
    return refusal(err);
  }
}
