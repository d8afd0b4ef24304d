import type { EvseModel } from '../site-model.js';
import type { CircuitConstraint } from './constraints.js';

/** Rounds down to the 0.1 A steps chargers take, never below the minimum it already met. */
export function floorCurrentA(valueA: number, minA: number): number {
  if (!(valueA > 0)) return 0;
  const stepped = Math.floor(valueA * 10 + 1e-7) / 10;
  return Math.min(valueA, Math.max(minA, stepped));
}

/** The minimum current an EVSE can charge at (0 or more), A. */
export function evseMinA(evse: EvseModel): number {
  return Number.isFinite(evse.minCurrentA) && evse.minCurrentA > 0 ? evse.minCurrentA : 0;
}

/** Weight in fair sharing: the priority, with a small positive floor. */
export function evseWeight(evse: EvseModel): number {
  return evse.priority > 0 ? evse.priority : 0.01;
}

/** "level-2 L1: 125 A - 40 A non-EV - 2 A margin" */
export function describeConstraint(c: CircuitConstraint): string {
  const unit = c.kind === 'power' ? 'W' : 'A';
  const r = (v: number): string => `${Math.round(v * 10) / 10} ${unit}`;
  return `${c.circuitId} ${c.kind}: ${r(c.limit)} - ${r(c.nonEv)} non-EV - ${r(c.margin)} margin`;
}
