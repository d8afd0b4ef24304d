import type { EvseLiveState, EvseModel } from '../../src/energy/site-model.js';
import type { SolarEvseState } from './evse-control.js';

/**
 * When a solar-controlled EVSE's last change can be judged. After the strategy changes an EVSE's
 * current (or phases) at `changedAtMs`, the charger follows some seconds later and reports its
 * current later still, while the grid meter reads every second or so. Until both the grid reading
 * and the EV's latest report postdate `changedAtMs + settleS`, the surplus they give is a fresh
 * grid reading plus an EV draw from before the change: too low after a raise, too high after a
 * cut. Deciding on it flaps between two currents and writes a profile each time.
 *
 * So the strategy holds the EVSE's current up until then; only a decrease may happen meanwhile,
 * judged with the EV taken to draw the most it may (mostDrawW): the surplus is then if anything
 * overestimated, so a decrease it still calls for is a real drop (a cloud), not the change
 * itself seen half-way. A charger that does not report at all
 * does not hold it forever: `settleS` after the change the EV is taken to draw what it was
 * offered, and once `maxReportWaitS` more has passed without a report, its old report is no
 * longer waited for (and no longer used: see evDrawBasis).
 */
export interface SettleInput {
  /** When the strategy last changed this EVSE's current or phases, ms (undefined: never). */
  changedAtMs: number | undefined;
  nowMs: number;
  /** When the grid reading was taken, ms. */
  gridTimeMs: number;
  live: EvseLiveState | undefined;
  settleS: number;
}

/** How long after settleS an EV's report is still waited for, s. */
export const MAX_REPORT_WAIT_S = 60;

/** Why the EVSE's current is held now, or undefined when its last change can be judged. */
export function holdReason(input: SettleInput): string | undefined {
  const { changedAtMs, nowMs, gridTimeMs, live, settleS } = input;
  if (changedAtMs === undefined || settleS <= 0) return undefined;
  const settledMs = changedAtMs + settleS * 1000;
  const agoS = Math.round((nowMs - changedAtMs) / 1000);
  if (nowMs < settledMs) return `changed ${agoS} s ago, the charger may take ${settleS} s to follow`;
  if (gridTimeMs < settledMs) return `changed ${agoS} s ago, waiting for a grid reading taken since`;
  const lastReportMs = lastReportTimeMs(live);
  if (lastReportMs !== undefined && lastReportMs < settledMs && nowMs < settledMs + MAX_REPORT_WAIT_S * 1000) {
    return `changed ${agoS} s ago, waiting for the charger to report its current since`;
  }
  return undefined;
}

/**
 * Whether the EV's reported current shows what it draws since the last change: false when its
 * latest report is from before the change had settled (then its offer is the better guess).
 * Reports without times (no samples) are taken as current.
 */
export function reportIsCurrent(changedAtMs: number | undefined, live: EvseLiveState | undefined, settleS: number): boolean {
  if (changedAtMs === undefined || settleS <= 0) return true;
  const lastReportMs = lastReportTimeMs(live);
  return lastReportMs === undefined || lastReportMs >= changedAtMs + settleS * 1000;
}

function lastReportTimeMs(live: EvseLiveState | undefined): number | undefined {
  const samples = live?.samples;
  return samples && samples.length > 0 ? samples[samples.length - 1]!.timeMs : undefined;
}

/**
 * The most the EV may be drawing while its last change settles, W: the offer it was last given,
 * or one before it that it may still be following (it draws at most its offer, and follows a
 * decrease only some seconds later).
 */
export function mostDrawW(evse: EvseModel, st: SolarEvseState): number {
  return Math.max(offeredW(evse, st), st.settlingFromW ?? 0);
}

/** The power an EVSE's decided current gives, W. */
export function offeredW(evse: EvseModel, st: SolarEvseState): number {
  return st.enabled ? st.currentA * st.phases * evse.voltageV : 0;
}

/**
 * settlingFromW after a change from `previous`: what it offered, or, when that change comes
 * while an earlier one is still settling (`held`), the most of that and what was settling then.
 */
export function settlingFromWAfter(evse: EvseModel, previous: SolarEvseState, held: boolean): number {
  const fromW = offeredW(evse, previous);
  return held ? Math.max(fromW, previous.settlingFromW ?? 0) : fromW;
}
