import { PHASES, type Phase } from '../phases.js';
import type { CircuitTree } from './circuit-tree.js';
import type { ConstraintSet, Term } from './constraints.js';
import type { Allocation, CircuitBudget, PhaseBudget } from './types.js';

/** Per circuit and phase: limit, non-EV load, available and what the allocations use. */
export function circuitBudgets(
  tree: CircuitTree,
  set: ConstraintSet,
  allocations: readonly Allocation[],
  termsByKey: ReadonlyMap<string, readonly Term[]>,
): CircuitBudget[] {
  const used = new Float64Array(set.constraints.length);
  for (const a of allocations) {
    for (const t of termsByKey.get(a.evseKey) ?? []) used[t.k] = (used[t.k] as number) + t.coefficient * a.currentA;
  }
  return tree.topDown.map((c) => {
    const phases = {} as Record<Phase, PhaseBudget>;
    for (const p of PHASES) {
      const k = set.indexOf(c.id, p) as number;
      const con = set.constraints[k];
      phases[p] = {
        limitA: con?.limit ?? 0,
        nonEvA: con?.nonEv ?? 0,
        availableA: con?.available ?? 0,
        allocatedA: used[k] ?? 0,
      };
    }
    const budget: CircuitBudget = { circuitId: c.id, phases };
    const kp = set.indexOf(c.id, 'power');
    const con = kp === undefined ? undefined : set.constraints[kp];
    if (kp !== undefined && con) {
      budget.power = {
        limitW: con.limit,
        nonEvW: con.nonEv,
        availableW: con.available,
        allocatedW: used[kp] ?? 0,
        source: con.source,
      };
    }
    return budget;
  });
}
