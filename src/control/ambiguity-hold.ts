/**
 * No decreases out of doubt alone. Pure.
 *
 * Right after the hub changed offers, the chargers' reports lag behind what the EVs do (10 s
 * reports, EVs following 5-30 s late), and the non-EV estimate, being safe, counts every such
 * unreported transition against the building (draw-at.ts). A fresh allocation on that inflated
 * estimate takes current from some EVs to give it to others, which starts more unreported
 * transitions: the offers cycle. So while a circuit phase has EVSEs whose last offer change is
 * not yet confirmed by a report, an EVSE the allocation would lower keeps what it holds, as long
 * as every circuit phase (and power limit) on its way still fits on the safe estimate. Where it
 * does not fit, the decreases go out as decided. Decreases for other reasons (no EV, CSMS or
 * strategy caps, failsafe) are never held.
 */
import { gridPhases, pathToRoot, type CircuitBudget, type CircuitTree } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';

export interface AmbiguityHoldInput {
  nowMs: number;
  tree: CircuitTree;
  evses: readonly EvseModel[];
  live: Record<string, EvseLiveState>;
  circuits: readonly CircuitBudget[];
  limits: Record<string, CurrentLimit>;
  followS: number;
  /** A report this close to the offer counts as having followed it, A. */
  toleranceA?: number;
}

const HOLDABLE = ['circuit:', 'fuse:', 'paused:', 'ev:draw'];

/** Whether the EVSE's last offer change is still unconfirmed by its reports. */
export function unconfirmed(live: EvseLiveState | undefined, nowMs: number, followS: number, toleranceA: number): boolean {
  const offers = live?.offers;
  if (!live?.active || !offers || offers.length === 0) return false;
  let changeMs: number | undefined;
  for (let i = offers.length - 1; i > 0; i--) {
    if (offers[i]?.limitA !== offers[i - 1]?.limitA) {
      changeMs = offers[i]?.fromMs;
      break;
    }
  }
  if (changeMs === undefined) changeMs = offers[0]?.fromMs ?? 0;
  const settleMs = changeMs + followS * 1000;
  if (nowMs >= settleMs) return false;
  const samples = live.samples ?? [];
  const last = samples[samples.length - 1];
  if (!last || last.timeMs <= changeMs) return true;
  const offerA = offers[offers.length - 1]?.limitA ?? 0;
  return Math.abs(Math.max(0, ...last.currentA) - offerA) > toleranceA && last.timeMs < settleMs;
}

export function holdDuringAmbiguity(input: AmbiguityHoldInput): Record<string, CurrentLimit> {
  const tol = input.toleranceA ?? 1;
  const keysOf = (e: EvseModel): string[] => pathToRoot(input.tree, e.circuitId).flatMap((c) => gridPhases(e).map((p) => `${c}|${p}`));
  const ambiguous = new Set<string>();
  for (const e of input.evses) if (unconfirmed(input.live[e.key], input.nowMs, input.followS, tol)) for (const k of keysOf(e)) ambiguous.add(k);
  if (ambiguous.size === 0) return input.limits;

  const heldNow = (e: EvseModel): number | undefined => {
    const offers = input.live[e.key]?.offers;
    return offers?.[offers.length - 1]?.limitA;
  };
  const out: Record<string, CurrentLimit> = { ...input.limits };
  const holders: EvseModel[] = [];
  for (const e of input.evses) {
    const limit = input.limits[e.key];
    const held = heldNow(e);
    const live = input.live[e.key];
    if (!limit || held === undefined || !live?.active || live.controllable === false) continue;
    if (!(limit.maxCurrentA < held) || held > e.maxCurrentA || !HOLDABLE.some((p) => limit.source.startsWith(p))) continue;
    if (!keysOf(e).some((k) => ambiguous.has(k))) continue;
    out[e.key] = { maxCurrentA: held, source: 'hold', reason: `keeps ${held} A (decided ${limit.maxCurrentA} A, ${limit.source}) while reports of recent changes are due; fits on the safe estimate` };
    holders.push(e);
  }
  if (holders.length === 0) return input.limits;

  // Release holds on every constraint that no longer fits, until all fit (releasing only lowers).
  const budgets = new Map(input.circuits.map((b) => [b.circuitId, b]));
  for (let changed = true; changed; ) {
    changed = false;
    const usedA = new Map<string, number>();
    const usedW = new Map<string, number>();
    for (const e of input.evses) {
      const a = out[e.key]?.maxCurrentA ?? 0;
      for (const c of pathToRoot(input.tree, e.circuitId)) {
        for (const p of gridPhases(e)) usedA.set(`${c}|${p}`, (usedA.get(`${c}|${p}`) ?? 0) + a);
        usedW.set(c, (usedW.get(c) ?? 0) + a * gridPhases(e).length * (e.voltageV > 0 ? e.voltageV : 230));
      }
    }
    const over = (e: EvseModel): boolean =>
      pathToRoot(input.tree, e.circuitId).some((c) => {
        const b = budgets.get(c);
        if (!b) return false;
        if (gridPhases(e).some((p) => (usedA.get(`${c}|${p}`) ?? 0) > b.phases[p].availableA + 1e-9)) return true;
        return b.power !== undefined && (usedW.get(c) ?? 0) > b.power.availableW + 1e-6;
      });
    for (const e of holders) {
      if (out[e.key]?.source !== 'hold' || !over(e)) continue;
      out[e.key] = input.limits[e.key] as CurrentLimit;
      changed = true;
    }
  }
  return out;
}
