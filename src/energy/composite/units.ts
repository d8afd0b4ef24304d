import type { RateUnit } from '../charging-profile.js';

/**
 * Conversions between A (per phase) and W (total): W = A x voltage x phases in use.
 * OCPP accepts at most one decimal in a composite period's limit, so answers are rounded to 0.1,
 * always towards the safe side for limits.
 */

export function toAmps(value: number, unit: RateUnit, voltageV: number, phases: number): number {
  return unit === 'A' ? value : value / (voltageV * phases);
}

export function fromAmps(amps: number, unit: RateUnit, voltageV: number, phases: number): number {
  return unit === 'A' ? amps : amps * voltageV * phases;
}

/** Tolerance so that 15.999999999 (float noise) rounds to 16, not 15.9. */
const NOISE = 1e-6;

/** Round down to 0.1. */
export function floorTenth(value: number): number {
  return Math.floor(value * 10 + NOISE) / 10 + 0;
}

/** Round up (towards zero for negatives) to 0.1. */
export function ceilTenth(value: number): number {
  return Math.ceil(value * 10 - NOISE) / 10 + 0;
}

/** Round to the nearest 0.1. */
export function roundTenth(value: number): number {
  return Math.round(value * 10) / 10 + 0;
}
