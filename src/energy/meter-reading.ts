import type { PerPhase } from './phases.js';

/**
 * One reading of a meter. Sign convention: power and current are positive when the site
 * imports from the grid (or a load consumes), negative when it exports (or PV produces).
 */
export interface MeterReading {
  meterId: string;
  /** When the value was measured, ms since the epoch. */
  timeMs: number;
  powerW?: number;
  currentA?: Partial<PerPhase>;
  voltageV?: Partial<PerPhase>;
  frequencyHz?: number;
  energyWh?: number;
  /** Imported / exported energy registers of a grid meter, Wh (both count up). */
  energyImportWh?: number;
  energyExportWh?: number;
  /** State of charge in % (home battery). */
  socPct?: number;
}

/** A reading as the controller sees it: with its age, and stale when older than allowed. */
export interface AgedReading extends MeterReading {
  ageS: number;
  stale: boolean;
}

export function ageReading(r: MeterReading, nowMs: number, staleAfterS: number): AgedReading {
  const ageS = Math.max(0, (nowMs - r.timeMs) / 1000);
  return { ...r, ageS, stale: ageS > staleAfterS };
}
