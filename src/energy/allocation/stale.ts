import { PHASES, type PerPhase } from '../phases.js';
import type { EvseLiveState, EvseModel } from '../site-model.js';
import { pathToRoot, subtreeOf, type CircuitTree } from './circuit-tree.js';
import { gridPhases } from './constraints.js';

/** Keys of the EVSEs on any of the given circuits or below them. */
export function evsesBelow(tree: CircuitTree, evses: readonly EvseModel[], circuitIds: readonly string[]): Set<string> {
  const circuits = new Set<string>();
  for (const id of circuitIds) for (const c of subtreeOf(tree, id)) circuits.add(c);
  const out = new Set<string>();
  if (circuits.size === 0) return out;
  for (const e of evses) if (pathToRoot(tree, e.circuitId).some((c) => circuits.has(c))) out.add(e.key);
  return out;
}

/**
 * Non-EV load with stale circuits counted as overloaded (a stale meter is a meter we cannot
 * trust): each stale circuit is taken as loaded to its limit, less the margin, minus what its
 * EVSEs draw at the currents they are held at (`heldA`, e.g. their failsafe share;
 * uncontrollable EVSEs at their max). Its EVSEs then keep exactly their held currents and its
 * parents see the circuit as full.
 */
export function loadStaleCircuits(
  tree: CircuitTree,
  evses: readonly EvseModel[],
  live: Record<string, EvseLiveState>,
  nonEvLoadA: Record<string, Partial<PerPhase>>,
  staleCircuitIds: readonly string[],
  heldA: Record<string, number>,
  marginA: number,
): Record<string, Partial<PerPhase>> {
  if (staleCircuitIds.length === 0) return nonEvLoadA;
  const out: Record<string, Partial<PerPhase>> = { ...nonEvLoadA };
  for (const id of staleCircuitIds) {
    const c = tree.byId.get(id);
    if (!c) continue;
    const below = evsesBelow(tree, evses, [id]);
    const evA: PerPhase = { L1: 0, L2: 0, L3: 0 };
    for (const e of evses) {
      if (!below.has(e.key)) continue;
      const a = live[e.key]?.controllable === false ? Math.max(0, e.maxCurrentA) : (heldA[e.key] ?? 0);
      for (const p of gridPhases(e)) evA[p] += a;
    }
    const given = nonEvLoadA[id];
    const v: Partial<PerPhase> = {};
    for (const p of PHASES) v[p] = Math.max(given?.[p] ?? 0, c.maxCurrentA[p] - Math.max(0, marginA) - evA[p]);
    out[id] = v;
  }
  return out;
}
