/**
 * Pure curves for the simulated site: building load over the day, and PV with passing clouds.
 * Times are ms since the epoch; hours are UTC hours of day.
 */
import type { Prng } from './prng.js';

/** A point of a daily load curve: at this hour of day (0-24), this total power, W. */
export interface CurvePoint {
  hour: number;
  powerW: number;
}

/** A step added to the building load from atMs (for durationS, or for good). */
export interface LoadStep {
  atMs: number;
  deltaW: number;
  durationS?: number;
}

/** An office-like default: low at night, a morning ramp, a lunch peak. */
export const DEFAULT_BUILDING_CURVE: readonly CurvePoint[] = [
  { hour: 0, powerW: 3_000 },
  { hour: 6, powerW: 3_500 },
  { hour: 8, powerW: 12_000 },
  { hour: 12, powerW: 16_000 },
  { hour: 14, powerW: 13_000 },
  { hour: 18, powerW: 8_000 },
  { hour: 22, powerW: 4_000 },
  { hour: 24, powerW: 3_000 },
];

function hourOfDay(tMs: number): number {
  return (((tMs / 3_600_000) % 24) + 24) % 24;
}

/** Linear interpolation of a daily curve (sorted by hour), plus the steps in force at tMs. */
export function buildingLoadW(curve: readonly CurvePoint[], steps: readonly LoadStep[], tMs: number): number {
  const h = hourOfDay(tMs);
  let base = curve[0]?.powerW ?? 0;
  for (let i = 0; i + 1 < curve.length; i++) {
    const a = curve[i];
    const b = curve[i + 1];
    if (a && b && h >= a.hour && h <= b.hour) {
      base = b.hour === a.hour ? b.powerW : a.powerW + ((h - a.hour) / (b.hour - a.hour)) * (b.powerW - a.powerW);
      break;
    }
  }
  const stepW = steps
    .filter((s) => tMs >= s.atMs && (s.durationS === undefined || tMs < s.atMs + s.durationS * 1000))
    .reduce((sum, s) => sum + s.deltaW, 0);
  return Math.max(0, base + stepW);
}

export interface PvSpec {
  /** Peak output on a clear day at solar noon, W. */
  peakW: number;
  sunriseHour: number;
  sunsetHour: number;
}

/** Clear-sky PV output at tMs (a half sine between sunrise and sunset), W (>= 0). */
export function clearSkyPvW(pv: PvSpec, tMs: number): number {
  const h = hourOfDay(tMs);
  if (h <= pv.sunriseHour || h >= pv.sunsetHour) return 0;
  return pv.peakW * Math.sin((Math.PI * (h - pv.sunriseHour)) / (pv.sunsetHour - pv.sunriseHour));
}

/** A cloud that cuts PV output to `factor` of clear sky from startMs for durationS. */
export interface Cloud {
  startMs: number;
  durationS: number;
  factor: number;
}

/** Clouds over [fromMs, toMs), about cloudsPerHour of them, each 1-15 min, letting 20-70 % through. */
export function makeClouds(prng: Prng, fromMs: number, toMs: number, cloudsPerHour: number): Cloud[] {
  const clouds: Cloud[] = [];
  if (cloudsPerHour <= 0) return clouds;
  const meanGapMs = 3_600_000 / cloudsPerHour;
  for (let t = fromMs + prng.next() * meanGapMs; t < toMs; t += (0.5 + prng.next()) * meanGapMs) {
    clouds.push({ startMs: t, durationS: prng.between(60, 900), factor: prng.between(0.2, 0.7) });
  }
  return clouds;
}

export function pvW(pv: PvSpec, clouds: readonly Cloud[], tMs: number): number {
  const shade = clouds
    .filter((c) => tMs >= c.startMs && tMs < c.startMs + c.durationS * 1000)
    .reduce((f, c) => Math.min(f, c.factor), 1);
  return clearSkyPvW(pv, tMs) * shade;
}
