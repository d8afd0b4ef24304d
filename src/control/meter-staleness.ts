import type { AgedReading } from '../energy/meter-reading.js';

/** When meter readings count as stale. */
export interface StalenessRule {
  /** A reading older than this is stale, s. */
  staleAfterS: number;
  /** Per meter id, overriding staleAfterS (e.g. each meter's own configured staleAfterS). */
  staleAfterSByMeter?: Record<string, number>;
}

function thresholdS(rule: StalenessRule, meterId: string): number {
  return rule.staleAfterSByMeter?.[meterId] ?? rule.staleAfterS;
}

/** The readings aged at nowMs; stale when the source said so or when older than the rule allows. */
export function ageMeters(meters: Record<string, AgedReading>, nowMs: number, rule: StalenessRule): Record<string, AgedReading> {
  const out: Record<string, AgedReading> = {};
  for (const [id, r] of Object.entries(meters)) {
    const ageS = Math.max(0, (nowMs - r.timeMs) / 1000);
    out[id] = { ...r, ageS, stale: r.stale || ageS > thresholdS(rule, id) };
  }
  return out;
}

/**
 * The first instant after nowMs at which a reading that is fresh now turns stale (age strictly
 * above its threshold), ms since the epoch; undefined when no reading is fresh.
 */
export function nextStaleMs(meters: Record<string, AgedReading>, nowMs: number, rule: StalenessRule): number | undefined {
  let next: number | undefined;
  for (const [id, r] of Object.entries(meters)) {
    if (r.stale) continue;
    const at = r.timeMs + thresholdS(rule, id) * 1000 + 1;
    if (at > nowMs && (next === undefined || at < next)) next = at;
  }
  return next;
}
