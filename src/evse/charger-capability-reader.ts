import {
  CAPABILITY_KEYS_16, CAPABILITY_VARIABLES_2X, UNKNOWN_CAPABILITIES, capabilitiesFrom16, capabilitiesFrom2x, withOverride,
  type CapabilityOverride, type ChargerCapabilities,
} from '../control/charger-capabilities.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Logger } from '../util/logger.js';

export interface CapabilityReaderDeps {
  log: Logger;
  /** Sends a CALL to a connected station; rejects on a CALLERROR, a timeout or no connection. */
  call(stationId: string, action: string, payload: unknown): Promise<unknown>;
  versionOf(stationId: string): OcppVersion | undefined;
  /** The site config's override for a station (chargers that report wrongly). */
  overrideOf(stationId: string): CapabilityOverride | undefined;
}

/**
 * Reads at each boot what a charger supports for charging profiles (1.6 GetConfiguration of the
 * smart-charging keys, 2.x GetVariables on SmartChargingCtrlr) and keeps it per station, with the
 * config's override on top. A charger that does not answer, or answers with an error, counts as
 * "unknown" (the hub then writes A at its usual stack levels) plus the override.
 */
export class ChargerCapabilityReader {
  private readonly known = new Map<string, ChargerCapabilities>();
  private readonly reading = new Set<string>();

  constructor(private readonly deps: CapabilityReaderDeps) {}

  /** What the station supports, once read since its last boot; undefined while reading. */
  of(stationId: string): ChargerCapabilities | undefined {
    return this.reading.has(stationId) ? undefined : this.known.get(stationId) ?? withOverride(UNKNOWN_CAPABILITIES, this.deps.overrideOf(stationId));
  }

  /** True while the station's capabilities are being read (the hub writes no profile then). */
  isReading(stationId: string): boolean {
    return this.reading.has(stationId);
  }

  /** True once read since the station's last boot. */
  isKnown(stationId: string): boolean {
    return this.known.has(stationId) && !this.reading.has(stationId);
  }

  /** The station (re)booted: what it supports is read again before the next profile write. */
  forget(stationId: string): void {
    this.known.delete(stationId);
  }

  /**
   * Starts reading unless known or already reading; `then` runs once it is known. Returns
   * whether the capabilities are known now.
   */
  ensure(stationId: string, then: () => void): boolean {
    if (this.isKnown(stationId)) return true;
    if (!this.reading.has(stationId)) void this.read(stationId).then(then);
    return false;
  }

  /** Reads the station's capabilities (after its boot was answered). Never rejects. */
  async read(stationId: string): Promise<ChargerCapabilities> {
    this.reading.add(stationId);
    let reported = UNKNOWN_CAPABILITIES;
    try {
      reported = await this.ask(stationId);
    } catch (err) {
      this.deps.log.info({ stationId, err: err instanceof Error ? err.message : String(err) }, 'charger capabilities not readable; assuming A and the usual stack levels');
    }
    const caps = withOverride(reported, this.deps.overrideOf(stationId));
    this.known.set(stationId, caps);
    this.reading.delete(stationId);
    this.deps.log.info({ stationId, ...caps }, 'charger capabilities');
    return caps;
  }

  private async ask(stationId: string): Promise<ChargerCapabilities> {
    const version = this.deps.versionOf(stationId);
    if (version === undefined) return UNKNOWN_CAPABILITIES;
    if (version === '1.6') {
      const answer = (await this.deps.call(stationId, 'GetConfiguration', { key: [...CAPABILITY_KEYS_16] })) as { configurationKey?: { key: string; value?: string }[] };
      return capabilitiesFrom16(answer.configurationKey ?? []);
    }
    const answer = (await this.deps.call(stationId, 'GetVariables', {
      getVariableData: CAPABILITY_VARIABLES_2X.map((v) => ({
        component: { name: 'SmartChargingCtrlr' },
        variable: { name: v.variable, ...(v.instance ? { instance: v.instance } : {}) },
      })),
    })) as { getVariableResult?: Parameters<typeof capabilitiesFrom2x>[0] };
    return capabilitiesFrom2x(answer.getVariableResult ?? []);
  }
}
