import type { V2xFreqWattPoint } from '../../src/energy/charging-profile.js';

/**
 * Sign convention: power positive charges the EV, negative discharges it. Over-frequency means
 * too much generation on the grid, so EVs absorb more: power never decreases as frequency rises.
 */

/** Why a curve is unusable, or undefined when it is fine: frequencies distinct, power non-decreasing in frequency. */
export function checkFreqWattCurve(points: readonly V2xFreqWattPoint[]): string | undefined {
  if (points.length === 0) return 'curve has no points';
  if (points.some((p) => !Number.isFinite(p.frequency) || !Number.isFinite(p.power))) return 'curve has a non-finite point';
  const sorted = [...points].sort((a, b) => a.frequency - b.frequency);
  for (let i = 1; i < sorted.length; i += 1) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (!a || !b) continue;
    if (b.frequency === a.frequency) return `curve has two points at ${a.frequency} Hz`;
    if (b.power < a.power) {
      return `curve power falls from ${a.power} W at ${a.frequency} Hz to ${b.power} W at ${b.frequency} Hz (must not decrease as frequency rises)`;
    }
  }
  return undefined;
}

/** Power at frequencyHz, W: linear between points, flat beyond the ends. Assumes a checked curve. */
export function curvePowerW(points: readonly V2xFreqWattPoint[], frequencyHz: number): number {
  const sorted = [...points].sort((a, b) => a.frequency - b.frequency);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (!first || !last) return 0;
  if (frequencyHz <= first.frequency) return first.power;
  if (frequencyHz >= last.frequency) return last.power;
  for (let i = 1; i < sorted.length; i += 1) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (!a || !b || frequencyHz > b.frequency) continue;
    return a.power + ((frequencyHz - a.frequency) / (b.frequency - a.frequency)) * (b.power - a.power);
  }
  return last.power;
}

export interface DroopSettings {
  nominalHz: number;
  deadBandHz: number;
  droopPct: number;
}

/**
 * Droop power change, W, for an EVSE rated ratedW: zero inside the dead band, then linear from
 * its edge (no jump), full ratedW at droopPct % of nominal beyond the edge. Up with frequency.
 */
export function droopDeltaW(frequencyHz: number, ratedW: number, s: DroopSettings): number {
  const deviationHz = frequencyHz - s.nominalHz;
  const beyondHz = Math.sign(deviationHz) * Math.max(0, Math.abs(deviationHz) - s.deadBandHz);
  if (beyondHz === 0 || s.droopPct <= 0) return 0;
  return (beyondHz / (s.nominalHz * (s.droopPct / 100))) * ratedW;
}

/** First-order lag: share of the gap to the target covered after dtS, 90% after responseTimeS. */
export function lagFraction(dtS: number, responseTimeS: number): number {
  if (responseTimeS <= 0) return 1;
  if (dtS <= 0) return 0;
  return 1 - Math.exp((-dtS * Math.LN10) / responseTimeS);
}
