import type { CurrentLimit } from '../limit.js';
import { PHASES, type PerPhase } from '../phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../site-model.js';
import { buildCircuitTree, type CircuitTree } from './circuit-tree.js';
import { buildConstraints, termsFor, type CircuitConstraint, type Term } from './constraints.js';
import { describeConstraint, evseMinA, evseWeight, floorCurrentA } from './currents.js';
import { evseMaxLimit } from './own-limits.js';
import { waterFill } from './water-fill.js';

export interface BaseShareInput {
  circuits: CircuitNode[];
  evses: EvseModel[];
  /**
   * Worst-case non-EV load per circuit, A per phase, inclusive of its sub-circuits. A circuit
   * without an entry inherits its parent's worst case (its load is part of the parent's, so it
   * cannot exceed it); a root without an entry is unknown and counts as fully loaded, which
   * leaves 0 headroom and base shares of 0 below it.
   */
  worstCaseNonEvA?: Record<string, Partial<PerPhase>>;
  marginA: number;
  nominalVoltageV?: number;
  /** Only used to find uncontrollable EVSEs, which are reserved at their max. */
  live?: Record<string, EvseLiveState>;
}

/** Worst-case non-EV load per circuit as described on BaseShareInput. */
export function worstCaseNonEvLoad(
  tree: CircuitTree,
  worstCaseNonEvA: Record<string, Partial<PerPhase>> | undefined,
): Map<string, PerPhase> {
  const out = new Map<string, PerPhase>();
  for (const c of tree.topDown) {
    const entry = worstCaseNonEvA?.[c.id];
    const parentId = tree.parentOf.get(c.id);
    const inherited = parentId === undefined ? c.maxCurrentA : out.get(parentId);
    const v: PerPhase = { L1: 0, L2: 0, L3: 0 };
    for (const p of PHASES) {
      const e = entry?.[p];
      v[p] = Math.max(0, e !== undefined && Number.isFinite(e) ? e : (inherited?.[p] ?? c.maxCurrentA[p]));
    }
    out.set(c.id, v);
  }
  return out;
}

/**
 * The guaranteed safe share of every EVSE, for its base profile (the one that stays in force
 * when the hub is gone). All EVSEs are counted, charging or not, since all may draw their base
 * share at once; uncontrollable ones are reserved at their max. The sum over the EVSEs below
 * any circuit never exceeds, on any phase or in power, its limit minus its worst-case non-EV
 * load minus the margin. Shares are priority-weighted, 0 or at least the EVSE's minimum
 * (EVSEs that do not fit at their minimum get 0, lowest priority first), and stable: they
 * depend on the configuration only.
 */
export function baseShare(input: BaseShareInput): Record<string, CurrentLimit> {
  const tree = buildCircuitTree(input.circuits);
  const set = buildConstraints(tree, {
    nonEvLoadA: {},
    marginA: input.marginA,
    nominalVoltageV: input.nominalVoltageV,
    effectiveNonEvA: worstCaseNonEvLoad(tree, input.worstCaseNonEvA),
  });
  const capacity = set.constraints.map((c) => c.available);
  const out: Record<string, CurrentLimit> = {};
  const candidates: { evse: EvseModel; terms: Term[]; minA: number; maxA: number }[] = [];

  for (const evse of input.evses) {
    const terms = termsFor(tree, set, evse);
    const maxA = evseMaxLimit(evse).maxCurrentA;
    if (!terms) {
      out[evse.key] = { maxCurrentA: 0, source: 'config:circuit', reason: `unknown circuit ${evse.circuitId}` };
    } else if (input.live?.[evse.key]?.controllable === false) {
      for (const t of terms) capacity[t.k] = (capacity[t.k] as number) - t.coefficient * maxA;
      out[evse.key] = { maxCurrentA: maxA, source: 'evse:max', reason: 'not controllable: reserved at its max' };
    } else {
      candidates.push({ evse, terms, minA: evseMinA(evse), maxA });
    }
  }

  candidates.sort((a, b) => b.evse.priority - a.evse.priority || (a.evse.key < b.evse.key ? -1 : a.evse.key > b.evse.key ? 1 : 0));
  const floorUse = new Float64Array(capacity.length);
  const admitted: typeof candidates = [];
  for (const c of candidates) {
    const blocked =
      c.maxA < c.minA || c.maxA <= 0
        ? undefined
        : c.terms.find((t) => (floorUse[t.k] as number) + t.coefficient * c.minA > (capacity[t.k] as number) + 1e-9);
    if (c.maxA < c.minA || c.maxA <= 0 || blocked) {
      const con = blocked ? set.constraints[blocked.k] : undefined;
      out[c.evse.key] = {
        maxCurrentA: 0,
        source: con?.source ?? 'evse:max',
        reason: con ? `base share: min does not fit ${describeConstraint(con)} (worst case)` : 'base share: max below min',
      };
      continue;
    }
    for (const t of c.terms) floorUse[t.k] = (floorUse[t.k] as number) + t.coefficient * c.minA;
    admitted.push(c);
  }

  const fill = waterFill(
    admitted.map((c) => ({ weight: evseWeight(c.evse), floorA: c.minA, boundA: c.maxA, terms: c.terms })),
    capacity,
  );
  admitted.forEach((c, i) => {
    const by = fill.frozenBy[i] as number;
    const con: CircuitConstraint | undefined = by >= 0 ? set.constraints[by] : undefined;
    out[c.evse.key] = {
      maxCurrentA: floorCurrentA(fill.valueA[i] as number, c.minA),
      source: con?.source ?? 'evse:max',
      reason: con ? `base share of ${describeConstraint(con)} (worst case)` : 'base share: its max fits',
    };
  });
  return out;
}
