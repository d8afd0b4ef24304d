/** Rate that covers the full rating in rampTimeS, W/s; undefined for 0 (no limit). */
export function rampRateWPerS(ratedW: number, rampTimeS: number | undefined): number | undefined {
  if (rampTimeS === undefined || !(rampTimeS > 0) || !(ratedW > 0)) return undefined;
  return ratedW / rampTimeS;
}

/** fromW moved toward toW by at most rateWPerS x dtS (no limit without a rate). */
export function rampToward(fromW: number, toW: number, rateWPerS: number | undefined, dtS: number): number {
  if (rateWPerS === undefined) return toW;
  const stepW = rateWPerS * Math.max(0, dtS);
  return Math.min(fromW + stepW, Math.max(fromW - stepW, toW));
}
