import type { CurrentLimit } from '../limit.js';
import type { EvseLiveState, EvseModel } from '../site-model.js';
import { evseVoltageV, gridPhases } from './constraints.js';
import type { RotationEntry } from './types.js';

export interface DrawPolicy {
  nowMs: number;
  headroomA: number;
  settleMs: number;
}

/** Rounds a current for display in reasons. */
export function fmtA(v: number): string {
  return `${Math.round(v * 10) / 10} A`;
}

/** Highest measured current over the EVSE's phases, A; undefined without a measurement. */
export function measuredA(evse: EvseModel, live: EvseLiveState | undefined): number | undefined {
  const m = live?.measuredCurrentA;
  if (!m || m.length === 0) return undefined;
  let max: number | undefined;
  for (const v of m.slice(0, gridPhases(evse).length)) {
    if (Number.isFinite(v)) max = Math.max(max ?? 0, v);
  }
  return max;
}

/** The EVSE's own max as a limit. */
export function evseMaxLimit(evse: EvseModel): CurrentLimit {
  return { maxCurrentA: Math.max(0, evse.maxCurrentA), source: 'evse:max' };
}

/**
 * The limits an EVSE brings with it, whatever the circuits say: its max, its power limit,
 * the caps from the composite schedule and strategies, and a cap at measured + headroom when
 * its EV draws clearly less than it was offered (after the EV had time to ramp up), so the
 * rest goes to others.
 */
export function ownLimits(
  evse: EvseModel,
  caps: readonly CurrentLimit[] | undefined,
  live: EvseLiveState | undefined,
  prev: RotationEntry | undefined,
  draw: DrawPolicy,
): CurrentLimit[] {
  const limits: CurrentLimit[] = [evseMaxLimit(evse)];
  if (evse.maxPowerW !== undefined && evse.maxPowerW >= 0) {
    const perA = gridPhases(evse).length * evseVoltageV(evse);
    limits.push({ maxCurrentA: evse.maxPowerW / perA, source: 'evse:maxPower', reason: `${evse.maxPowerW} W` });
  }
  for (const c of caps ?? []) {
    const v = Number.isFinite(c.maxCurrentA) ? Math.max(0, c.maxCurrentA) : 0;
    limits.push(v === c.maxCurrentA ? c : { ...c, maxCurrentA: v });
  }
  const m = measuredA(evse, live);
  if (
    prev &&
    prev.offeredA > 0 &&
    m !== undefined &&
    draw.nowMs - prev.raisedMs >= draw.settleMs &&
    m < prev.offeredA - draw.headroomA / 2
  ) {
    limits.push({
      maxCurrentA: Math.max(evse.minCurrentA, m + draw.headroomA),
      source: 'ev:draw',
      reason: `EV draws ${fmtA(m)} of ${fmtA(prev.offeredA)} offered`,
    });
  }
  return limits;
}
