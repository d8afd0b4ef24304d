import { isLimit, sameLimits, tightest, type CurrentLimit } from '../limit.js';
import type { EvseLiveState, EvseModel } from '../site-model.js';
import { buildCircuitTree } from './circuit-tree.js';
import { buildConstraints, termsFor, type CircuitConstraint, type Term } from './constraints.js';
import { appendGroupConstraints, withGroupTerms } from './group-limits.js';
import { circuitBudgets } from './budgets.js';
import { evseMaxLimit, fmtA, ownLimits } from './own-limits.js';
import { admissionOrder, DEFAULT_ROTATION_PERIOD_S, nextEntry } from './rotation.js';
import { waterFill } from './water-fill.js';
import { describeConstraint, evseMinA, evseWeight, floorCurrentA } from './currents.js';
import type { Allocation, AllocationInput, AllocationResult, RotationEntry, RotationState } from './types.js';
import { drain, EVSES_PER_STEP, type Steps } from '../steps.js';

const EPS = 1e-9;
export const DEFAULT_DRAW_HEADROOM_A = 2;
export const DEFAULT_DRAW_SETTLE_S = 30;
const UNCONTROLLABLE_REASON = 'not controllable: budgeted at its max';

interface Candidate {
  evse: EvseModel;
  live: EvseLiveState;
  terms: Term[];
  limits: CurrentLimit[];
  bound: CurrentLimit;
  minA: number;
}

/**
 * Shares the circuits' capacity among the EVSEs, per grid phase, weighted by priority:
 * uncontrollable and fixed EVSEs first (at their max / given current), then every active EVSE
 * whose minimum fits is admitted in rotation order, then the rest is water-filled fairly up to
 * each EVSE's limits. Pure: the same input and state give the same result.
 */
export function allocate(input: AllocationInput, state: RotationState): AllocationResult {
  return drain(allocateSteps(input, state));
}

/** `allocate` as steps (see steps.ts): the same result, with yields between its parts. */
export function* allocateSteps(input: AllocationInput, state: RotationState): Steps<AllocationResult> {
  let n = 0;
  const tree = buildCircuitTree(input.circuits);
  const set = buildConstraints(tree, input);
  const groupTermsOf = appendGroupConstraints(set, input.groupLimits);
  const K = set.constraints.length;
  const capacity = set.constraints.map((c) => c.available);
  const periodMs = (input.rotationPeriodS ?? DEFAULT_ROTATION_PERIOD_S) * 1000;
  const headroomA = input.drawHeadroomA ?? DEFAULT_DRAW_HEADROOM_A;
  const draw = { nowMs: input.nowMs, headroomA, settleMs: (input.drawSettleS ?? DEFAULT_DRAW_SETTLE_S) * 1000 };

  const results = new Map<string, Allocation>();
  const termsByKey = new Map<string, Term[]>();
  const entries: Record<string, RotationEntry> = {};
  const candidates: Candidate[] = [];

  const reserve = (terms: readonly Term[], a: number): void => {
    for (const t of terms) capacity[t.k] = (capacity[t.k] as number) - t.coefficient * a;
  };
  const previous = input.previousLimits;
  /** An EVSE's result; its limits (and binding among them) are the earlier equal ones where there are. */
  const put = (key: string, currentA: number, status: Allocation['status'], limits: CurrentLimit[], binding: CurrentLimit): void => {
    const prev = previous?.[key]?.limits;
    if (prev && prev !== limits && sameLimits(prev, limits)) {
      const i = limits.indexOf(binding);
      if (i >= 0) binding = prev[i] as CurrentLimit;
      limits = prev;
    }
    results.set(key, { evseKey: key, currentA, status, limits, binding });
  };
  const rampRoom = input.rampRoom;
  // Room kept for ramps not reported yet (the highest phase on every term, on the safe side) and
  // for the first ramps of admitted starts: new starts and the fill stay out of it; EVSEs
  // already at their minimum are not paused for it.
  const pendingUse = new Float64Array(K);
  const startRoom = new Float64Array(K);
  for (const evse of rampRoom ? input.evses : []) {
    if (++n % EVSES_PER_STEP === 0) yield 'allocation: ramp room';
    const pendingA = Math.max(0, ...(rampRoom?.pendingA[evse.key] ?? []).filter((a) => Number.isFinite(a)));
    const terms = pendingA > 0 ? termsFor(tree, set, evse) : undefined;
    for (const t of terms ? withGroupTerms(terms, groupTermsOf(evse)) : []) pendingUse[t.k] = (pendingUse[t.k] as number) + t.coefficient * pendingA;
  }
  /** An EVSE offered less than its minimum now (offers known): its first ramp needs room of its own. */
  const isStart = (c: Candidate): boolean => {
    if (!rampRoom?.starts) return false;
    const offers = c.live.offers;
    const last = offers?.[offers.length - 1];
    return last !== undefined && last.limitA < c.minA;
  };

  for (const evse of input.evses) {
    if (++n % EVSES_PER_STEP === 0) yield 'allocation: own limits';
    const key = evse.key;
    const live = input.live[key];
    const maxLimit = evseMaxLimit(evse);
    const circuitTerms = termsFor(tree, set, evse);
    const terms = circuitTerms && withGroupTerms(circuitTerms, groupTermsOf(evse));
    if (!terms) {
      const binding = { maxCurrentA: 0, source: 'config:circuit', reason: `unknown circuit ${evse.circuitId}` };
      put(key, 0, 'paused', [binding], binding);
      continue;
    }
    termsByKey.set(key, terms);
    if (live && !live.controllable) {
      reserve(terms, maxLimit.maxCurrentA);
      // The earlier list when it holds just this limit, without building it first.
      const prev = previous?.[key]?.limits;
      const kept = prev?.length === 1 && isLimit(prev[0] as CurrentLimit, maxLimit.maxCurrentA, maxLimit.source, UNCONTROLLABLE_REASON) ? prev : undefined;
      const binding = kept ? (kept[0] as CurrentLimit) : { ...maxLimit, reason: UNCONTROLLABLE_REASON };
      results.set(key, { evseKey: key, currentA: maxLimit.maxCurrentA, status: 'uncontrollable', limits: kept ?? [binding], binding });
      continue;
    }
    const fixed = input.fixed?.[key];
    if (fixed) {
      const raw = Math.min(maxLimit.maxCurrentA, Number.isFinite(fixed.maxCurrentA) ? Math.max(0, fixed.maxCurrentA) : 0);
      const currentA = raw < evseMinA(evse) ? 0 : raw;
      const binding = currentA === fixed.maxCurrentA ? fixed : { ...fixed, maxCurrentA: currentA };
      reserve(terms, currentA);
      put(key, currentA, 'fixed', [fixed, maxLimit], binding);
      const prev = state.entries[key];
      if (prev) entries[key] = prev;
      continue;
    }
    if (!live || !live.active) {
      const binding = { maxCurrentA: 0, source: 'evse:inactive', reason: 'no EV wants power' };
      put(key, 0, 'inactive', [binding], binding);
      continue;
    }
    const limits = ownLimits(evse, input.caps[key], live, state.entries[key], draw);
    const bound = tightest(limits) ?? maxLimit;
    const minA = evseMinA(evse);
    if (bound.maxCurrentA < minA || bound.maxCurrentA <= 0) {
      const binding = { maxCurrentA: 0, source: bound.source, reason: `${fmtA(bound.maxCurrentA)} is below min ${fmtA(minA)}` };
      put(key, 0, 'paused', limits, binding);
      const prev = state.entries[key];
      if (prev) entries[key] = { ...prev, offeredA: 0 };
      continue;
    }
    candidates.push({ evse, live, terms, limits, bound, minA });
  }

  // Admission at the minimum, in rotation order.
  const byKey = new Map(candidates.map((c) => [c.evse.key, c]));
  const order = admissionOrder(
    candidates.map((c) => ({ key: c.evse.key, priority: c.evse.priority, transactionStartedMs: c.live.transactionStartedMs })),
    state,
    input.nowMs,
    periodMs,
  );
  const floorUse = new Float64Array(K);
  const admitted: Candidate[] = [];
  yield 'allocation: order';
  for (const o of order) {
    if (++n % EVSES_PER_STEP === 0) yield 'allocation: admission';
    const c = byKey.get(o.key) as Candidate;
    const start = isStart(c);
    const needA = start ? 2 * c.minA : c.minA;
    const blocked = c.terms.find(
      (t) => (floorUse[t.k] as number) + (startRoom[t.k] as number) + (start ? (pendingUse[t.k] as number) : 0) + t.coefficient * needA > (capacity[t.k] as number) + EPS,
    );
    if (blocked) {
      const con = set.constraints[blocked.k] as CircuitConstraint;
      const left = Math.max(0, (capacity[blocked.k] as number) - (floorUse[blocked.k] as number));
      const binding = {
        maxCurrentA: 0,
        source: 'paused:rotation',
        reason: `min ${fmtA(c.minA)}${needA > c.minA ? ' (and as much again for its first ramp)' : ''} does not fit ${con.source} ${con.kind} (${Math.round(left * 10) / 10} left); waits for its turn`,
      };
      put(c.evse.key, 0, 'paused', [...c.limits, binding], binding);
      entries[c.evse.key] = nextEntry(state.entries[c.evse.key], 'paused', 0, input.nowMs, headroomA / 2);
      continue;
    }
    for (const t of c.terms) floorUse[t.k] = (floorUse[t.k] as number) + t.coefficient * c.minA;
    if (start) for (const t of c.terms) startRoom[t.k] = (startRoom[t.k] as number) + t.coefficient * c.minA;
    admitted.push(c);
  }
  if (rampRoom) for (let k = 0; k < K; k++) capacity[k] = Math.max(floorUse[k] as number, (capacity[k] as number) - (startRoom[k] as number) - (pendingUse[k] as number));

  yield 'allocation: admission';
  // Fair share above the minimum.
  const fill = waterFill(
    admitted.map((c) => ({
      weight: evseWeight(c.evse),
      floorA: c.minA,
      boundA: c.bound.maxCurrentA,
      terms: c.terms,
    })),
    capacity,
  );
  yield 'allocation: water fill';
  for (const [i, c] of admitted.entries()) {
    if (++n % EVSES_PER_STEP === 0) yield 'allocation: shares';
    const key = c.evse.key;
    const currentA = floorCurrentA(fill.valueA[i] as number, c.minA);
    const by = fill.frozenBy[i] as number;
    let binding: CurrentLimit;
    let limits = c.limits;
    if (by < 0) binding = c.bound;
    else {
      const con = set.constraints[by] as CircuitConstraint;
      binding = { maxCurrentA: currentA, source: con.source, reason: `share of ${describeConstraint(con)}` };
      limits = [...c.limits, binding];
    }
    put(key, currentA, 'charging', limits, binding);
    entries[key] = nextEntry(state.entries[key], 'served', currentA, input.nowMs, headroomA / 2);
  }
  yield 'allocation: shares';

  const allocations = input.evses.map((e) => results.get(e.key) as Allocation);
  return {
    allocations,
    circuits: circuitBudgets(tree, set, allocations, termsByKey),
    state: { entries },
  };
}
