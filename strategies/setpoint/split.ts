/** One EVSE taking part in a site setpoint. */
export interface SplitMember {
  key: string;
  /** Weight of its share (its max power), W. */
  weightW: number;
  lowerW: number;
  upperW: number;
}

/**
 * Splits a signed site setpoint, W, pro rata of the members' weights, filling up: a member that
 * reaches its bound keeps it and the rest is shared among the others. Charging (>= 0) uses
 * every member up to upperW; discharging only members with lowerW < 0 (others get 0).
 * Returns the share per key and what could not be placed.
 */
export function splitSetpoint(totalW: number, members: readonly SplitMember[]): {
  sharesW: Record<string, number>;
  unplacedW: number;
} {
  const sharesW: Record<string, number> = {};
  const capOf = (m: SplitMember): number => (totalW >= 0 ? Math.max(0, m.upperW) : Math.max(0, -m.lowerW));
  let free = members.filter((m) => capOf(m) > 0 && m.weightW > 0);
  for (const m of members) sharesW[m.key] = 0;
  let remaining = Math.abs(totalW);
  while (free.length > 0 && remaining > 1e-9) {
    const weight = free.reduce((sum, m) => sum + m.weightW, 0);
    const saturated = free.filter((m) => (remaining * m.weightW) / weight >= capOf(m));
    if (saturated.length === 0) {
      for (const m of free) sharesW[m.key] = (remaining * m.weightW) / weight;
      remaining = 0;
      break;
    }
    for (const m of saturated) {
      sharesW[m.key] = capOf(m);
      remaining -= capOf(m);
    }
    free = free.filter((m) => !saturated.includes(m));
  }
  const sign = totalW >= 0 ? 1 : -1;
  for (const key of Object.keys(sharesW)) sharesW[key] = sign * (sharesW[key] ?? 0);
  return { sharesW, unplacedW: sign * Math.max(0, remaining) };
}
