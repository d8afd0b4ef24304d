import { isLimit, type CurrentLimit, type LimitSource } from '../energy/limit.js';
import type { PerPhase } from '../energy/phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../energy/site-model.js';
import { drain, EVSES_PER_STEP, type Steps } from '../energy/steps.js';
import {
  buildCircuitTree,
  buildConstraints,
  describeConstraint,
  evseMinA,
  evsesBelow,
  floorCurrentA,
  gridPhases,
  loadStaleCircuits,
  termsFor,
  appendGroupConstraints,
  withGroupTerms,
  type EvseGroupLimit,
  type Term,
} from '../energy/allocation/index.js';

const EPS = 1e-9;

export interface GuardInput {
  circuits: CircuitNode[];
  evses: EvseModel[];
  live: Record<string, EvseLiveState>;
  /** Measured non-EV load per circuit, inclusive of sub-circuits, A per phase (as for allocate). */
  nonEvLoadA: Record<string, Partial<PerPhase>>;
  marginA: number;
  /** What the strategies want per EVSE key. An EVSE without a proposal is taken at its max. */
  proposed: Record<string, CurrentLimit>;
  /**
   * Circuits whose meter is stale or missing (the root for the grid meter). The EVSEs on them
   * or below get their base share with source `failsafe`, and the circuits count as full.
   */
  staleCircuitIds?: readonly string[];
  /** Each EVSE's guaranteed share (see baseShare), the failsafe limit. Missing = 0. */
  baseShares: Record<string, CurrentLimit>;
  nominalVoltageV?: number;
  siteLimitW?: { powerW: number; source: LimitSource };
  /** Limits on the sum of groups of EVSEs (a CSMS's station-wide cap), without non-EV load. */
  groupLimits?: readonly EvseGroupLimit[];
  /**
   * An earlier decision's limit per EVSE key: an uncontrollable EVSE counted at its max gets
   * that limit object again when it says the same, so an unchanged EVSE makes no new object.
   * Only objects are taken from it, never values: the result is the same without it.
   */
  previous?: Readonly<Record<string, { readonly limit: CurrentLimit } | undefined>>;
}

export interface GuardResult {
  /** The limit to send, per EVSE key, with the source that decided it. */
  limits: Record<string, CurrentLimit>;
  /** What had to be corrected, one line each (stable prefix: max:, min:, circuit:, fixed:, stale:, proposal:). */
  violations: string[];
}

interface Open {
  evse: EvseModel;
  terms: Term[];
  valueA: number;
  minA: number;
  limit: CurrentLimit;
  changed: boolean;
}

/**
 * Enforces the invariants whatever the strategies proposed: no EVSE above its max (or power
 * limit); on every circuit and grid phase (and in power) the sum of limits within what is
 * available, counting uncontrollable EVSEs at their max; nothing strictly between 0 and an
 * EVSE's minimum; below a stale meter, base shares. Overloads are scaled down proportionally
 * (each EVSE by the tightest factor of the circuits it is on); EVSEs pushed below their minimum
 * go to 0 and are then put back at their minimum, highest priority first, where that still
 * fits. Pure.
 */
export function guard(input: GuardInput): GuardResult {
  return drain(guardSteps(input));
}

/** `guard` as steps (see steps.ts): the same result, with yields between its parts. */
export function* guardSteps(input: GuardInput): Steps<GuardResult> {
  let n = 0;
  const tree = buildCircuitTree(input.circuits);
  const violations: string[] = [];
  const limits: Record<string, CurrentLimit> = {};
  const stale = input.staleCircuitIds ?? [];
  const failsafe = evsesBelow(tree, input.evses, stale);
  for (const id of stale) violations.push(`stale:${id} meter stale or missing: failsafe below it`);

  const heldA: Record<string, number> = {};
  for (const e of input.evses) {
    if (!failsafe.has(e.key)) continue;
    const base = input.baseShares[e.key]?.maxCurrentA ?? 0;
    // Never above what was proposed (the allocation gives failsafe EVSEs their base share under
    // the caps of the CSMS, the operator and the strategies).
    const proposedA = input.proposed[e.key]?.maxCurrentA;
    const capA = proposedA !== undefined && Number.isFinite(proposedA) ? Math.max(0, proposedA) : Infinity;
    const v = Math.min(Math.max(0, Number.isFinite(base) ? base : 0), Math.max(0, e.maxCurrentA), capA);
    heldA[e.key] = v < evseMinA(e) ? 0 : v;
  }
  yield 'guard: failsafe';
  const nonEvLoadA = loadStaleCircuits(tree, input.evses, input.live, input.nonEvLoadA, stale, heldA, input.marginA);
  const set = buildConstraints(tree, { ...input, nonEvLoadA });
  const groupTermsOf = appendGroupConstraints(set, input.groupLimits);
  const capacity = set.constraints.map((c) => c.available);
  const reserve = (terms: readonly Term[], a: number): void => {
    for (const t of terms) capacity[t.k] = (capacity[t.k] as number) - t.coefficient * a;
  };

  yield 'guard: constraints';
  const open: Open[] = [];
  for (const evse of input.evses) {
    if (++n % EVSES_PER_STEP === 0) yield 'guard: limits';
    const key = evse.key;
    const circuitTerms = termsFor(tree, set, evse);
    const terms = circuitTerms && withGroupTerms(circuitTerms, groupTermsOf(evse));
    const maxA = Math.max(0, evse.maxCurrentA);
    const proposal = input.proposed[key];
    if (!terms) {
      limits[key] = { maxCurrentA: 0, source: 'config:circuit', reason: `unknown circuit ${evse.circuitId}` };
      if (proposal && proposal.maxCurrentA > 0) violations.push(`proposal:${key} on unknown circuit ${evse.circuitId}: 0`);
      continue;
    }
    if (input.live[key]?.controllable === false) {
      reserve(terms, maxA);
      limits[key] = countedAtMax(input.previous?.[key]?.limit, maxA);
      continue;
    }
    if (failsafe.has(key)) {
      const v = heldA[key] ?? 0;
      reserve(terms, v);
      limits[key] = proposal?.source === 'failsafe' && proposal.maxCurrentA === v ? proposal : { maxCurrentA: v, source: 'failsafe', reason: 'meter stale: base share' };
      continue;
    }
    let limit: CurrentLimit = proposal ?? { maxCurrentA: maxA, source: 'evse:max', reason: 'no proposal' };
    let changed = false;
    if (!Number.isFinite(limit.maxCurrentA) || limit.maxCurrentA < 0) {
      violations.push(`proposal:${key} ${limit.source} proposed ${limit.maxCurrentA} A: 0`);
      limit = { maxCurrentA: 0, source: 'guard:invalid', reason: `invalid proposal from ${limit.source}` };
      changed = true;
    }
    let ownMax: CurrentLimit = { maxCurrentA: maxA, source: 'evse:max' };
    if (evse.maxPowerW !== undefined && evse.maxPowerW >= 0) {
      const a = evse.maxPowerW / (gridPhases(evse).length * (evse.voltageV > 0 ? evse.voltageV : 230));
      if (a < maxA) ownMax = { maxCurrentA: a, source: 'evse:maxPower', reason: `${evse.maxPowerW} W` };
    }
    if (limit.maxCurrentA > ownMax.maxCurrentA + EPS) {
      violations.push(`max:${key} ${limit.source} proposed ${limit.maxCurrentA} A above ${ownMax.source} ${ownMax.maxCurrentA} A`);
      limit = ownMax;
      changed = true;
    }
    open.push({ evse, terms, valueA: limit.maxCurrentA, minA: evseMinA(evse), limit, changed });
  }

  yield 'guard: limits';
  for (let k = 0; k < capacity.length; k++) {
    const con = set.constraints[k];
    if (con && (capacity[k] as number) < con.available && (capacity[k] as number) < -EPS) {
      violations.push(`fixed:${con.circuitId} ${con.kind} uncontrollable and failsafe EVSEs exceed ${describeConstraint(con)}`);
    }
  }

  // Proportional scaling per constraint; each EVSE takes the tightest factor on its path.
  const usage = new Float64Array(capacity.length);
  for (const o of open) for (const t of o.terms) usage[t.k] = (usage[t.k] as number) + t.coefficient * o.valueA;
  const factor = capacity.map((cap, k) => {
    const u = usage[k] as number;
    if (u <= Math.max(0, cap) + EPS) return 1;
    const f = Math.max(0, cap) / u;
    const con = set.constraints[k];
    if (con) violations.push(`circuit:${con.circuitId} ${con.kind} proposed ${round(u)} over ${round(cap)} available: scaled by ${round(f, 3)}`);
    return f;
  });
  const pushedBelowMin: Open[] = [];
  for (const o of open) {
    const proposedA = o.valueA;
    let f = 1;
    let by = -1;
    for (const t of o.terms) {
      const ft = factor[t.k] as number;
      if (ft < f) {
        f = ft;
        by = t.k;
      }
    }
    if (by >= 0) {
      const con = set.constraints[by];
      const before = o.valueA;
      o.valueA = floorCurrentA(o.valueA * f, 0);
      o.limit = { maxCurrentA: o.valueA, source: con?.source ?? 'guard', reason: con ? `scaled to fit ${describeConstraint(con)}` : 'scaled' };
      o.changed = true;
      if (o.valueA < o.minA && before >= o.minA) pushedBelowMin.push(o);
    }
    if (o.valueA > EPS && o.valueA < o.minA - EPS) {
      if (proposedA < o.minA - EPS) violations.push(`min:${o.evse.key} proposed ${proposedA} A below min ${o.minA} A: 0`);
      o.valueA = 0;
      o.limit = { maxCurrentA: 0, source: 'evse:min', reason: `below min ${o.minA} A: paused` };
      o.changed = true;
    }
  }

  // Put EVSEs that scaling pushed below their minimum back at it where that fits.
  const slack = capacity.map((c) => c);
  for (const o of open) for (const t of o.terms) slack[t.k] = (slack[t.k] as number) - t.coefficient * o.valueA;
  pushedBelowMin.sort((a, b) => b.evse.priority - a.evse.priority || (a.evse.key < b.evse.key ? -1 : 1));
  for (const o of pushedBelowMin) {
    if (!o.terms.every((t) => t.coefficient * o.minA <= (slack[t.k] as number) + EPS)) continue;
    for (const t of o.terms) slack[t.k] = (slack[t.k] as number) - t.coefficient * o.minA;
    o.valueA = o.minA;
    o.limit = { maxCurrentA: o.minA, source: 'evse:min', reason: 'scaled below min, kept at min where it fits' };
  }

  for (const o of open) limits[o.evse.key] = o.changed ? { ...o.limit, maxCurrentA: o.valueA } : o.limit;
  return { limits, violations };
}

const COUNTED_AT_MAX = 'not controllable: counted at its max';

/** An uncontrollable EVSE's limit, { maxA, evse:max }: `previous` itself when it says the same. */
function countedAtMax(previous: CurrentLimit | undefined, maxA: number): CurrentLimit {
  if (previous && isLimit(previous, maxA, 'evse:max', COUNTED_AT_MAX)) return previous;
  return { maxCurrentA: maxA, source: 'evse:max', reason: COUNTED_AT_MAX };
}

function round(v: number, digits = 1): number {
  const m = 10 ** digits;
  return Math.round(v * m) / m;
}
