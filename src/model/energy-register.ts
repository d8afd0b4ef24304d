import type { SampledValue } from './types.js';

/** OCPP's default when a sampled value names no measurand. */
export const ENERGY_REGISTER_MEASURAND = 'Energy.Active.Import.Register';

/** Why an energy register reading was not taken: it reads below zero, or it is no finite number (once in Wh). */
export type RegisterRejection = 'negative' | 'not finite';

/**
 * An Energy.Active.Import.Register sample in Wh (kWh converted), or why no meter can read it. A
 * register counts up from zero, so a negative value is a fault of the charger, and a value that
 * is not a finite number (NaN, Infinity, or a finite kWh value that overflows once in Wh) is no
 * reading at all. Neither may reach a sum (billing, lifetime totals, the metrics' counters).
 */
export function registerWhOf(sv: Pick<SampledValue, 'value' | 'unit'>): { wh: number } | { rejected: RegisterRejection } {
  const wh = sv.unit === 'kWh' ? sv.value * 1000 : sv.value;
  if (!Number.isFinite(wh)) return { rejected: 'not finite' };
  if (wh < 0) return { rejected: 'negative' };
  return { wh: wh + 0 };
}
