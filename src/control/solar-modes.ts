import { SOLAR_MODES, type SolarMode } from '../energy/strategy.js';
import { parseEvseKey } from './evse-key.js';

/** Durable per-station values (the store's station_state table has this shape). */
export interface StationValues {
  get(stationId: string, key: string): unknown;
  set(stationId: string, key: string, value: unknown): void;
}

export interface SolarModeSetting {
  mode: SolarMode;
  /** Who set it: `config`, or the runtime source (`api`, `mqtt`). */
  source: string;
}

export interface SolarModesDeps {
  /** Where runtime settings are kept across restarts. */
  values: StationValues;
  /** The configured solar mode of an EVSE (solar-surplus `modes`, else `defaultMode`); undefined without a solar-surplus strategy. */
  configured(evseKey: string): SolarMode | undefined;
}

const KEY_PREFIX = 'solarMode/';

export function isSolarMode(text: string): text is SolarMode {
  return (SOLAR_MODES as readonly string[]).includes(text);
}

/**
 * Each EVSE's solar mode: set at runtime (API, MQTT) and kept in the store, so it holds across
 * restarts; else the configured one. Runtime settings go to the strategy in the snapshot.
 */
export class SolarModes {
  private readonly runtime = new Map<string, SolarModeSetting>();

  constructor(private readonly deps: SolarModesDeps) {}

  /** Reads the stored settings of these EVSEs (call once at start). */
  load(evseKeys: readonly string[]): void {
    for (const evseKey of evseKeys) {
      const parsed = parseEvseKey(evseKey);
      if (!parsed) continue;
      const stored = this.deps.values.get(parsed.stationId, `${KEY_PREFIX}${parsed.evseId}`);
      if (typeof stored !== 'object' || stored === null) continue;
      const { mode, source } = stored as Record<string, unknown>;
      if (typeof mode === 'string' && isSolarMode(mode)) this.runtime.set(evseKey, { mode, source: typeof source === 'string' ? source : 'runtime' });
    }
  }

  /** The mode in force and who set it; undefined when the site has no solar-surplus strategy. */
  of(evseKey: string): SolarModeSetting | undefined {
    const configured = this.deps.configured(evseKey);
    if (configured === undefined) return undefined;
    return this.runtime.get(evseKey) ?? { mode: configured, source: 'config' };
  }

  /** Sets and stores an EVSE's mode. */
  set(evseKey: string, mode: SolarMode, source: string): SolarModeSetting {
    const parsed = parseEvseKey(evseKey);
    if (!parsed) throw new Error(`not an EVSE key: ${evseKey}`);
    const setting = { mode, source };
    this.deps.values.set(parsed.stationId, `${KEY_PREFIX}${parsed.evseId}`, setting);
    this.runtime.set(evseKey, setting);
    return setting;
  }

  /** The runtime settings, for the strategy's snapshot. */
  snapshot(): Record<string, SolarMode> {
    const out: Record<string, SolarMode> = {};
    for (const [key, s] of this.runtime) out[key] = s.mode;
    return out;
  }
}
