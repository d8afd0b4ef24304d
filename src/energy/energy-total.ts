/**
 * A lifetime energy total kept by the hub, Wh, that never goes down (what Home Assistant's
 * `total_increasing` and a Prometheus counter need). It grows either by the increases of a
 * meter's own register, or by integrating a power reading over time. PURE.
 */
export interface EnergyTotal {
  totalWh: number;
  /** The register value last seen (register mode). */
  lastRegisterWh?: number;
  /** The power last seen, W, and when (integration mode). */
  lastPowerW?: number;
  lastTimeMs?: number;
}

export const EMPTY_TOTAL: EnergyTotal = { totalWh: 0 };

/**
 * Adds a register's increase since the last value. A register that went down (a replaced
 * meter, a sign flipped in the config) adds nothing and becomes the new base.
 */
export function addRegister(total: EnergyTotal, registerWh: number): EnergyTotal {
  if (!Number.isFinite(registerWh)) return total;
  const last = total.lastRegisterWh;
  const increaseWh = last !== undefined && registerWh > last ? registerWh - last : 0;
  return { totalWh: total.totalWh + increaseWh, lastRegisterWh: registerWh };
}

/**
 * Integrates power (W, only what counts: pass 0 for the other direction) from the last reading
 * to this one, holding the last power over the interval. Readings further apart than
 * `maxGapS` add nothing (the power in between is not known); a reading not newer than the last
 * one is ignored.
 */
export function addPower(total: EnergyTotal, powerW: number, timeMs: number, maxGapS: number): EnergyTotal {
  if (!Number.isFinite(powerW) || !Number.isFinite(timeMs)) return total;
  const { lastPowerW, lastTimeMs } = total;
  if (lastTimeMs !== undefined && timeMs <= lastTimeMs) return total;
  const dtS = lastTimeMs !== undefined ? (timeMs - lastTimeMs) / 1000 : 0;
  const addWh = lastPowerW !== undefined && dtS <= maxGapS ? (Math.max(0, lastPowerW) * dtS) / 3600 : 0;
  return { totalWh: total.totalWh + addWh, lastPowerW: Math.max(0, powerW), lastTimeMs: timeMs };
}

/** A stored total read back; undefined when it is not one. */
export function parseTotal(value: unknown): EnergyTotal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.totalWh !== 'number' || !Number.isFinite(r.totalWh) || r.totalWh < 0) return undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const lastRegisterWh = num(r.lastRegisterWh);
  const lastPowerW = num(r.lastPowerW);
  const lastTimeMs = num(r.lastTimeMs);
  return {
    totalWh: r.totalWh,
    ...(lastRegisterWh !== undefined ? { lastRegisterWh } : {}),
    ...(lastPowerW !== undefined ? { lastPowerW } : {}),
    ...(lastTimeMs !== undefined ? { lastTimeMs } : {}),
  };
}
