import type { LimitSource } from '../limit.js';
import { PHASES, type Phase, type PerPhase } from '../phases.js';
import type { EvseModel } from '../site-model.js';
import { circuitSource, pathToRoot, type CircuitTree } from './circuit-tree.js';

export const DEFAULT_VOLTAGE_V = 230;

/**
 * One linear limit on the EVSE currents: a circuit's grid phase (in A) or its total power (in W).
 * An EVSE using it with current x adds `coefficient * x` to it.
 */
export interface CircuitConstraint {
  circuitId: string;
  kind: Phase | 'power';
  /** Max current (A) or power (W) of the circuit. */
  limit: number;
  /** Non-EV load counted against it, inclusive of sub-circuits (A or W). */
  nonEv: number;
  /** Safety margin (A or W). */
  margin: number;
  /** limit - nonEv - margin: what EVs may use; may be negative. */
  available: number;
  source: LimitSource;
}

/** How much an EVSE at 1 A adds to one constraint. */
export interface Term {
  k: number;
  coefficient: number;
}

export interface ConstraintSet {
  constraints: CircuitConstraint[];
  /** Index of a circuit's phase or power constraint. */
  indexOf(circuitId: string, kind: Phase | 'power'): number | undefined;
}

export interface ConstraintInput {
  nonEvLoadA: Record<string, Partial<PerPhase>>;
  marginA: number;
  nominalVoltageV?: number;
  siteLimitW?: { powerW: number; source: LimitSource };
  /** Non-EV load per circuit already made inclusive (skips effectiveNonEvLoad). */
  effectiveNonEvA?: ReadonlyMap<string, PerPhase>;
}

/**
 * Non-EV load per circuit, inclusive of its sub-circuits. A circuit's meter sees everything
 * below it, so the given value already includes the children; where a circuit has no value
 * (no meter) or reads less than its children together (meters not in step), the sum of the
 * children counts instead: effective(c) = max(given(c), sum of effective(children)), per phase,
 * with negative values (production) taken as 0.
 */
export function effectiveNonEvLoad(
  tree: CircuitTree,
  nonEvLoadA: Record<string, Partial<PerPhase>>,
): Map<string, PerPhase> {
  const out = new Map<string, PerPhase>();
  for (let i = tree.topDown.length - 1; i >= 0; i--) {
    const c = tree.topDown[i];
    if (!c) continue;
    const given = nonEvLoadA[c.id];
    const sum: PerPhase = { L1: 0, L2: 0, L3: 0 };
    for (const kid of tree.children.get(c.id) ?? []) {
      const k = out.get(kid);
      if (k) for (const p of PHASES) sum[p] += k[p];
    }
    const eff: PerPhase = { L1: 0, L2: 0, L3: 0 };
    for (const p of PHASES) eff[p] = Math.max(positive(given?.[p]), sum[p]);
    out.set(c.id, eff);
  }
  return out;
}

function positive(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : 0;
}

/**
 * Builds the constraints of every circuit: per grid phase, available = maxCurrentA[p] -
 * effective non-EV load[p] - margin; where maxPowerW (or, at a root, the site limit) applies,
 * available power = that limit - non-EV power (non-EV current x nominal voltage, summed over
 * phases) - margin x nominal voltage x 3.
 */
export function buildConstraints(tree: CircuitTree, input: ConstraintInput): ConstraintSet {
  const voltageV = input.nominalVoltageV ?? DEFAULT_VOLTAGE_V;
  const marginA = Math.max(0, input.marginA);
  const nonEv = input.effectiveNonEvA ?? effectiveNonEvLoad(tree, input.nonEvLoadA);
  const constraints: CircuitConstraint[] = [];
  const index = new Map<string, number>();
  for (const c of tree.topDown) {
    const eff = nonEv.get(c.id) ?? { L1: 0, L2: 0, L3: 0 };
    const source = circuitSource(tree, c.id);
    for (const p of PHASES) {
      const limit = c.maxCurrentA[p];
      index.set(`${c.id}|${p}`, constraints.length);
      constraints.push({
        circuitId: c.id,
        kind: p,
        limit,
        nonEv: eff[p],
        margin: marginA,
        available: limit - eff[p] - marginA,
        source,
      });
    }
    const isRoot = tree.parentOf.get(c.id) === undefined;
    let limitW = c.maxPowerW;
    let powerSource = source;
    if (isRoot && input.siteLimitW && (limitW === undefined || input.siteLimitW.powerW < limitW)) {
      limitW = input.siteLimitW.powerW;
      powerSource = input.siteLimitW.source;
    }
    if (limitW !== undefined) {
      const nonEvW = (eff.L1 + eff.L2 + eff.L3) * voltageV;
      const marginW = marginA * voltageV * 3;
      index.set(`${c.id}|power`, constraints.length);
      constraints.push({
        circuitId: c.id,
        kind: 'power',
        limit: limitW,
        nonEv: nonEvW,
        margin: marginW,
        available: limitW - nonEvW - marginW,
        source: powerSource,
      });
    }
  }
  return { constraints, indexOf: (id, kind) => index.get(`${id}|${kind}`) };
}

const gridPhasesMemo = new WeakMap<EvseModel, { phases: number; rotation: readonly Phase[]; out: readonly Phase[] }>();

/**
 * The grid phase of each EVSE phase, repaired when the model is inconsistent. Remembered per
 * EVSE model (while its phases and rotation stay the same objects): one shared array, never changed.
 */
export function gridPhases(evse: EvseModel): readonly Phase[] {
  const memo = gridPhasesMemo.get(evse);
  if (memo && memo.phases === evse.phases && memo.rotation === evse.phaseRotation) return memo.out;
  const n = evse.phases === 1 ? 1 : 3;
  const rot = (evse.phaseRotation ?? []).filter((p) => PHASES.includes(p)).slice(0, n);
  const out = rot.length === n ? rot : PHASES.slice(0, n);
  gridPhasesMemo.set(evse, { phases: evse.phases, rotation: evse.phaseRotation, out });
  return out;
}

export function evseVoltageV(evse: EvseModel): number {
  return evse.voltageV > 0 ? evse.voltageV : DEFAULT_VOLTAGE_V;
}

const termsCache = new WeakMap<ConstraintSet, Map<string, Term[] | undefined>>();
const termsKeyMemo = new WeakMap<EvseModel, { circuitId: string; phases: readonly Phase[]; voltageV: number; key: string }>();

/** The key EVSEs alike share their terms under: circuit, grid phases and voltage. */
function termsKeyOf(evse: EvseModel, phases: readonly Phase[], voltageV: number): string {
  const memo = termsKeyMemo.get(evse);
  if (memo && memo.circuitId === evse.circuitId && memo.phases === phases && memo.voltageV === voltageV) return memo.key;
  const key = `${evse.circuitId}|${phases.join(',')}|${voltageV}`;
  termsKeyMemo.set(evse, { circuitId: evse.circuitId, phases, voltageV, key });
  return key;
}

/**
 * The constraints an EVSE loads (every circuit on its path to the root); undefined if its
 * circuit is unknown. Memoized per constraint set by circuit, rotation and voltage: EVSEs
 * alike share one (read-only) array.
 */
export function termsFor(tree: CircuitTree, set: ConstraintSet, evse: EvseModel): Term[] | undefined {
  const phases = gridPhases(evse);
  const voltageV = evseVoltageV(evse);
  let cache = termsCache.get(set);
  if (!cache) {
    cache = new Map();
    termsCache.set(set, cache);
  }
  const key = termsKeyOf(evse, phases, voltageV);
  if (cache.has(key)) return cache.get(key);
  const terms = computeTerms(tree, set, evse.circuitId, phases, voltageV);
  cache.set(key, terms);
  return terms;
}

function computeTerms(tree: CircuitTree, set: ConstraintSet, circuitId: string, phases: readonly Phase[], voltageV: number): Term[] | undefined {
  const path = pathToRoot(tree, circuitId);
  if (path.length === 0) return undefined;
  const perPhase = new Map<Phase, number>();
  for (const p of phases) perPhase.set(p, (perPhase.get(p) ?? 0) + 1);
  const powerPerA = phases.length * voltageV;
  const terms: Term[] = [];
  for (const id of path) {
    for (const [p, count] of perPhase) {
      const k = set.indexOf(id, p);
      if (k !== undefined) terms.push({ k, coefficient: count });
    }
    const kp = set.indexOf(id, 'power');
    if (kp !== undefined) terms.push({ k: kp, coefficient: powerPerA });
  }
  return terms;
}
