import type { SiteSnapshot } from '../../src/energy/strategy.js';
import type { SolarSurplusParams } from './params.js';

export type SurplusResult =
  | { ok: true; surplusW: number; note: string; gridTimeMs: number }
  | { ok: false; reason: string };

/**
 * PV surplus the solar-controlled EVs may use, W (positive = available).
 *
 * Meter sign convention: import (consumption) positive, export negative. The grid meter sees
 * house + EVs + battery - PV, so `-gridW + evPowerW` is what is left for the EVs.
 * The home battery's power (charging positive):
 * - no battery priority: added back, so the EVs may take what the battery is charging with and
 *   never take what it discharges (surplus = PV - house);
 * - battery priority (SoC below `batteryPrioritySocPct`, or SoC unknown): what the battery takes
 *   stays with it, discharge still does not count, and `batteryReserveW` is kept back on top.
 * A stale or missing battery reading leaves the battery term out.
 */
export function siteSurplus(
  snapshot: SiteSnapshot,
  params: SolarSurplusParams,
  evPowerW: number,
): SurplusResult {
  const gridId = snapshot.meterRoles.gridMeterId;
  if (gridId === undefined) return { ok: false, reason: 'no grid meter configured' };
  const grid = snapshot.meters[gridId];
  if (!grid) return { ok: false, reason: `no reading from grid meter ${gridId}` };
  if (grid.stale) return { ok: false, reason: `grid meter ${gridId} stale (age ${Math.round(grid.ageS)} s)` };
  if (grid.powerW === undefined) return { ok: false, reason: `grid meter ${gridId} reports no power` };

  const base = -grid.powerW + evPowerW;
  const gridTimeMs = grid.timeMs;
  const batteryId = snapshot.meterRoles.batteryMeterId;
  const battery = batteryId === undefined ? undefined : snapshot.meters[batteryId];
  if (!battery || battery.powerW === undefined) return { ok: true, surplusW: base, note: '', gridTimeMs };
  if (battery.stale) return { ok: true, surplusW: base, note: ', battery meter stale: ignored', gridTimeMs };

  const batteryW = battery.powerW;
  const threshold = params.batteryPrioritySocPct;
  const priority = threshold > 0 && (battery.socPct === undefined || battery.socPct < threshold);
  if (!priority) return { ok: true, surplusW: base + batteryW, note: '', gridTimeMs };
  const soc = battery.socPct === undefined ? 'unknown' : `${battery.socPct}%`;
  return {
    ok: true,
    surplusW: base + Math.min(0, batteryW) - params.batteryReserveW,
    note: `, battery first (SoC ${soc} < ${threshold}%)`,
    gridTimeMs,
  };
}
