/**
 * Solar-surplus charging modes, per EVSE (the names evcc users know):
 * - `off`: do not charge (0 A).
 * - `now`: charge at the EVSE's max, whatever the sun does.
 * - `min+pv`: always at least the EVSE's min current, more when there is surplus.
 * - `pv`: only from surplus; start and stop with hysteresis.
 */
export const SOLAR_MODES = ['off', 'now', 'min+pv', 'pv'] as const;
export type SolarMode = (typeof SOLAR_MODES)[number];

export function isSolarMode(v: unknown): v is SolarMode {
  return typeof v === 'string' && (SOLAR_MODES as readonly string[]).includes(v);
}
