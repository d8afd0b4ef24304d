import { buildCircuitTree, circuitSource, pathToRoot } from '../energy/allocation/circuit-tree.js';
import { gridPhases } from '../energy/allocation/constraints.js';
import type { TimedLimit } from '../energy/composite/index.js';
import type { CircuitNode, EvseModel } from '../energy/site-model.js';

/**
 * The hub's own limits that would apply to a charging session on an EVSE, whenever it is asked:
 * the rating of every circuit on its path to the grid connection (per phase, on the grid phases
 * the EVSE uses; a circuit's power limit as W). Pure and free of timing: no measured load, no
 * share of the last decision, no "no EV, 0 A" — those change from second to second and are not
 * what a CSMS plans a session with. The composite adds the CSMS's profiles and the EVSE's own
 * rating on top.
 */
export function sessionLimits(circuits: readonly CircuitNode[], evse: EvseModel): TimedLimit[] {
  const tree = buildCircuitTree(circuits);
  const phases = gridPhases(evse);
  const out: TimedLimit[] = [];
  for (const id of pathToRoot(tree, evse.circuitId)) {
    const c = tree.byId.get(id);
    if (!c) continue;
    const source = circuitSource(tree, id);
    const perPhaseA = Math.min(...phases.map((p) => c.maxCurrentA[p]));
    if (Number.isFinite(perPhaseA)) out.push({ source, maxCurrentA: Math.max(0, perPhaseA) });
    if (c.maxPowerW !== undefined) out.push({ source, maxPowerW: Math.max(0, c.maxPowerW) });
  }
  return out;
}
