import type { AgedReading } from '../../src/energy/meter-reading.js';
import type { SiteSnapshot } from '../../src/energy/strategy.js';

/** The fresh reading of a meter, or why there is none. */
export function freshReading(snapshot: SiteSnapshot, meterId: string | undefined): AgedReading | string {
  if (meterId === undefined) return 'no grid meter configured';
  const r = snapshot.meters[meterId];
  if (!r) return `no reading from meter ${meterId}`;
  if (r.stale) return `meter ${meterId} stale (age ${Math.round(r.ageS)} s)`;
  return r;
}

/** Grid frequency from the meter, Hz, or why there is none. */
export function gridFrequencyHz(snapshot: SiteSnapshot, meterId: string | undefined): number | string {
  const r = freshReading(snapshot, meterId);
  if (typeof r === 'string') return r;
  const hz = r.frequencyHz;
  if (hz === undefined || !Number.isFinite(hz) || hz <= 0) return `meter ${meterId} reports no frequency`;
  return hz;
}

/**
 * Whether grid frequency and every phase voltage are inside the windows (a quantity the meter
 * does not report is not checked; a meter with neither, stale or missing, cannot confirm).
 * Returns undefined when inside, else why not.
 */
export function gridOutsideWindow(
  snapshot: SiteSnapshot,
  meterId: string | undefined,
  w: { lowFreq: number; highFreq: number; lowVoltage: number; highVoltage: number },
): string | undefined {
  const r = freshReading(snapshot, meterId);
  if (typeof r === 'string') return `${r}: grid not confirmed`;
  const volts = Object.values(r.voltageV ?? {}).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const hz = r.frequencyHz !== undefined && Number.isFinite(r.frequencyHz) ? r.frequencyHz : undefined;
  if (hz === undefined && volts.length === 0) return `meter ${meterId} reports neither frequency nor voltage: grid not confirmed`;
  if (hz !== undefined && (hz < w.lowFreq || hz > w.highFreq)) return `frequency ${hz} Hz outside ${w.lowFreq}-${w.highFreq} Hz`;
  const bad = volts.find((v) => v < w.lowVoltage || v > w.highVoltage);
  if (bad !== undefined) return `voltage ${bad} V outside ${w.lowVoltage}-${w.highVoltage} V`;
  return undefined;
}
