import {
  allocateSteps,
  baseShare,
  buildCircuitTree,
  evseMinA,
  evsesBelow,
  fitBaseSharesToGroups,
  loadStaleCircuits,
  rotationAsSent,
  DEFAULT_DRAW_HEADROOM_A,
  type SentChange,
  type CircuitBudget,
  type RotationState,
  type Allocation,
} from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { PerPhase } from '../energy/phases.js';
import type { SiteSnapshot, Strategy } from '../energy/strategy.js';
import type { EvseModel } from '../energy/site-model.js';
import { boundAt, evseDecisionOf, type EvseDecision, type EvseDecisionContext } from './evse-decision.js';
import { DEFAULT_FOLLOW_S, siteLoad, type NonEvEstimator } from '../../strategies/load-balancing/site-load.js';
import { pendingRampA, rampStateOf, reserveRampsSteps, type RampState } from './ramp-reserve.js';
import { holdWhereFitsSteps } from './hold-where-fits.js';
import { fitsAloneSteps } from './fits-alone.js';
import { guardSteps } from './guard.js';
import { drain, EVSES_PER_STEP, type Steps } from '../energy/steps.js';
import { csmsCaps, csmsGroupLimits } from './csms-caps.js';
import { addDecisionCaps } from './strategy-caps.js';
import { addDecisionSetpoints, type WantedSetpoint } from './decision-setpoints.js';

/** Knobs of the allocation and the failsafe, with units. */
export interface DecideParams {
  /** Safety margin kept free on every circuit and phase, A. */
  marginA: number;
  /** How long an EVSE keeps its turn when not all minimums fit, s (allocation default when absent). */
  rotationPeriodS?: number;
  /** An EV drawing clearly less than offered is capped at measured + this, A. */
  drawHeadroomA?: number;
  /** Ramp-up time after a raised offer before under-draw counts, s. */
  drawSettleS?: number;
  /** Phase voltage for power limits, V. */
  nominalVoltageV?: number;
  /** Worst-case non-EV load per circuit, A per phase: basis of base shares (see baseShare). */
  worstCaseNonEvA?: Record<string, Partial<PerPhase>>;
  /** How EV draw is taken off meter readings (default aligned; see site-load.ts). */
  nonEvEstimator?: NonEvEstimator;
  /** Longest time an EV takes to follow a lower limit, s (default 30). */
  followS?: number;
  /**
   * Keep room for ramps not reported yet (in the allocation, and by staging increases), and hold
   * decreases the site does not need (ramp-reserve.ts, hold-where-fits.ts); default on.
   */
  rampReserve?: boolean;
}

export interface DecideSetup {
  /** Run in order; each sees the caps of the CSMS and of the strategies before it. */
  strategies: readonly Strategy<unknown>[];
  params: DecideParams;
  /** Base shares when already known (they depend on the config and controllability only). */
  baseShares?: Record<string, CurrentLimit>;
  /**
   * An earlier decision: an EVSE whose decision comes out equal to its decision there (every
   * field, every limit) gets that EvseDecision object again, and its limits, so that thousands
   * of unchanged EVSEs make no new objects to keep until the next decision. Only objects are
   * taken from it, never values: the result is the same with or without it.
   */
  previous?: Pick<DecideResult, 'limits'>;
}

/** Memory between decisions: one state per strategy (same order) and the allocation's rotation. */
export interface DecideStates {
  strategies: unknown[];
  rotation: RotationState;
}

export type { EvseDecision } from './evse-decision.js';

export interface DecideResult {
  nowMs: number;
  limits: Record<string, EvseDecision>;
  /** Budget per circuit and phase from the allocation. */
  circuits: CircuitBudget[];
  baseShares: Record<string, CurrentLimit>;
  /** Circuits whose meter is stale or missing, with why (their EVSEs are on failsafe). */
  staleCircuits: Record<string, string>;
  /** What the guard had to correct. */
  violations: string[];
  /** Strategies that threw; their decisions are left out and their state kept. */
  strategyErrors: { strategy: string; message: string }[];
  states: DecideStates;
}

export function initialDecideStates(strategies: readonly Strategy<unknown>[]): DecideStates {
  return { strategies: strategies.map((s) => s.initialState()), rotation: { entries: {} } };
}

/** Base shares of a snapshot's EVSEs (uncontrollable ones reserved at their max). */
export function baseSharesOf(snapshot: SiteSnapshot, params: DecideParams): Record<string, CurrentLimit> {
  return baseShare({
    circuits: snapshot.circuits,
    evses: snapshot.evses,
    worstCaseNonEvA: params.worstCaseNonEvA,
    marginA: params.marginA,
    nominalVoltageV: params.nominalVoltageV,
    live: snapshot.live,
  });
}

/**
 * One control decision, pure: CSMS limits in force -> strategies in order (state threaded,
 * each adding caps per EVSE) -> allocation of the circuit tree under those caps (EVSEs below a
 * stale or missing meter held at their base share, source `failsafe`) -> guard. The same
 * snapshot, states and setup give the same result.
 */
export function decide(snapshot: SiteSnapshot, states: DecideStates, setup: DecideSetup): DecideResult {
  return drain(decideSteps(snapshot, states, setup));
}

/**
 * `decide` as a sequence of steps: it yields the name of the part just done between the parts of
 * the decision (each strategy, the site load, the allocation, the guard, the ramp reserve, the
 * holds, the increases that fit alone, and every EVSES_PER_STEP EVSEs of their loops over the site) and
 * returns the decision. Running it to the end gives exactly `decide`'s result (`decide` does just
 * that); a caller may run other work between steps, as long as the snapshot and the states it
 * passed stay unchanged until the end. Still pure: no I/O, no clock.
 */
export function* decideSteps(snapshot: SiteSnapshot, states: DecideStates, setup: DecideSetup): Steps<DecideResult> {
  const { params } = setup;
  const caps: Record<string, CurrentLimit[]> = {};
  for (const [key, list] of Object.entries(snapshot.evseCaps ?? {})) caps[key] = [...list];
  for (const [key, cap] of Object.entries(csmsCaps(snapshot))) caps[key] = [...(caps[key] ?? []), cap];

  const wantedSetpoints: Record<string, WantedSetpoint> = {};
  const strategyStates: unknown[] = [];
  const strategyErrors: DecideResult['strategyErrors'] = [];
  for (const [i, strategy] of setup.strategies.entries()) {
    const before = i < states.strategies.length ? states.strategies[i] : strategy.initialState();
    try {
      const out = strategy.decide({ ...snapshot, evseCaps: caps }, before);
      addDecisionCaps(caps, out.decisions, snapshot.evses);
      addDecisionSetpoints(wantedSetpoints, out.decisions, snapshot.evses);
      strategyStates.push(out.state);
    } catch (err) {
      strategyErrors.push({ strategy: strategy.name, message: err instanceof Error ? err.message : String(err) });
      strategyStates.push(before);
    }
    yield `strategy ${strategy.name}`;
  }

  const tree = buildCircuitTree(snapshot.circuits);
  const load = siteLoad(snapshot, tree, params);
  const staleIds = Object.keys(load.stale);
  // Base shares hold when the hub is gone: a CSMS cap on the sum of a station's (in hub mode the
  // site's) EVSEs must hold for them too.
  const groupLimits = csmsGroupLimits(snapshot);
  const baseShares = fitBaseSharesToGroups(setup.baseShares ?? baseSharesOf(snapshot, params), groupLimits, snapshot.evses);

  // The lowest cap on each EVSE that is not a circuit share: CSMS, operator, strategies.
  const capsA: Record<string, number> = {};
  for (const [key, list] of Object.entries(caps)) capsA[key] = Math.min(...list.map((c) => c.maxCurrentA));
  const fixed: Record<string, CurrentLimit> = {};
  const heldA: Record<string, number> = {};
  if (staleIds.length > 0) {
    const why = staleIds.map((id) => `${id}: ${load.stale[id]}`).join('; ');
    const below = evsesBelow(tree, snapshot.evses, staleIds);
    for (const e of snapshot.evses) {
      if (!below.has(e.key)) continue;
      // The base share, but never above a cap of the CSMS, the operator or a strategy.
      const shareA = baseShares[e.key]?.maxCurrentA ?? 0;
      const capA = Math.min(shareA, capsA[e.key] ?? Infinity);
      const held = capA < evseMinA(e) ? 0 : capA;
      heldA[e.key] = held;
      fixed[e.key] = { maxCurrentA: held, source: 'failsafe', reason: capA < shareA ? `${why}: base share ${shareA} A, capped` : `${why}: base share` };
    }
  }

  yield 'site load';

  const calmOn = params.rampReserve !== false;
  const followS = params.followS ?? DEFAULT_FOLLOW_S;
  const pendingA: Record<string, readonly number[]> = {};
  // Each EVSE's ramp state, once: the allocation's room and both ramp reserves below read it.
  const rampStates = new Map<string, RampState | undefined>();
  if (calmOn) {
    let n = 0;
    for (const e of snapshot.evses) {
      const state = rampStateOf(e, snapshot.live[e.key], snapshot.nowMs, followS);
      // Absent reads as undefined: every EVSE of the snapshot is looked at here.
      if (state !== undefined) rampStates.set(e.key, state);
      const p = pendingRampA(state);
      if (p.some((a) => a > 0)) pendingA[e.key] = p;
      if (++n % EVSES_PER_STEP === 0) yield 'pending ramps';
    }
  }
  const allocation = yield* allocateSteps(
    {
      nowMs: snapshot.nowMs,
      circuits: snapshot.circuits,
      evses: snapshot.evses,
      live: snapshot.live,
      nonEvLoadA: loadStaleCircuits(tree, snapshot.evses, snapshot.live, load.nonEvLoadA, staleIds, heldA, params.marginA),
      marginA: params.marginA,
      caps,
      rotationPeriodS: params.rotationPeriodS,
      drawHeadroomA: params.drawHeadroomA,
      drawSettleS: params.drawSettleS,
      nominalVoltageV: params.nominalVoltageV,
      fixed,
      siteLimitW: snapshot.siteLimitW,
      groupLimits,
      ...(calmOn ? { rampRoom: { pendingA, starts: true } } : {}),
      ...(setup.previous ? { previousLimits: setup.previous.limits } : {}),
    },
    states.rotation,
  );

  yield 'allocation';

  const proposed: Record<string, CurrentLimit> = {};
  let n = 0;
  for (const a of allocation.allocations) {
    proposed[a.evseKey] = boundAt(a);
    if (++n % EVSES_PER_STEP === 0) yield 'proposals';
  }
  const guarded = yield* guardSteps({
    circuits: snapshot.circuits,
    evses: snapshot.evses,
    live: snapshot.live,
    nonEvLoadA: load.nonEvLoadA,
    marginA: params.marginA,
    proposed,
    staleCircuitIds: staleIds,
    baseShares,
    nominalVoltageV: params.nominalVoltageV,
    siteLimitW: snapshot.siteLimitW,
    groupLimits,
    ...(setup.previous ? { previous: setup.previous.limits } : {}),
  });

  yield 'guard';

  // The last EVSE of a key given twice, as `new Map(entries)` would have it.
  const evseByKey = new Map<string, EvseModel>();
  for (const e of snapshot.evses) {
    evseByKey.set(e.key, e);
    if (++n % EVSES_PER_STEP === 0) yield 'evses by key';
  }
  const previous = setup.previous?.limits;
  const guardedLimits = withFallbacks(guarded.limits, proposed, allocation.allocations);
  const notHeld = new Set(groupLimits.flatMap((g) => g.evseKeys));
  const calm = { nowMs: snapshot.nowMs, tree, evses: snapshot.evses, live: snapshot.live, circuits: allocation.circuits, followS, notHeld, capsA };
  // Starts first (staged so their ramps fit), then the decreases that are not needed are held,
  // then the other increases are staged to what is left.
  let finals = guardedLimits;
  if (calmOn) {
    finals = yield* reserveRampsSteps({ ...calm, limits: finals, rampStates });
    finals = yield* holdWhereFitsSteps({ ...calm, limits: finals });
    finals = yield* reserveRampsSteps({ ...calm, limits: finals, rampStates });
  }
  // Not with CSMS caps on a sum of EVSEs or a site power limit: those are not in the budgets.
  const alone = calmOn && groupLimits.length === 0 && snapshot.siteLimitW === undefined ? yield* fitsAloneSteps({ ...calm, limits: finals }) : {};
  const changes: SentChange[] = [];
  const decided: EvseDecision[] = [];
  const context: EvseDecisionContext = { snapshot, baseShares, alone, wanted: wantedSetpoints, previous };
  let allKept = previous !== undefined;
  n = 0;
  for (const a of allocation.allocations) {
    if (n++ % EVSES_PER_STEP === EVSES_PER_STEP - 1) yield 'limits';
    const finalLimit = finals[a.evseKey] ?? { maxCurrentA: 0, source: 'guard' };
    const ev = evseByKey.get(a.evseKey);
    if (finalLimit.maxCurrentA !== a.currentA) changes.push({ key: a.evseKey, minA: ev ? evseMinA(ev) : 0, finalA: finalLimit.maxCurrentA });
    const kept = evseDecisionOf(context, a, finalLimit, ev);
    if (kept !== previous?.[a.evseKey]) allKept = false;
    decided.push(kept);
  }
  // Every EVSE kept its decision object, in the same order: the record of them too.
  const limits = allKept && previous && sameKeys(previous, decided) ? previous : recordOf(decided);
  // The caller's commit (targets, dispatch) follows the last step: it starts a step of its own.
  yield 'limits';

  return {
    nowMs: snapshot.nowMs,
    limits,
    circuits: allocation.circuits,
    baseShares,
    staleCircuits: load.stale,
    violations: guarded.violations,
    strategyErrors,
    states: { strategies: strategyStates, rotation: rotationAsSent(states.rotation, allocation.state, changes, snapshot.nowMs, (params.drawHeadroomA ?? DEFAULT_DRAW_HEADROOM_A) / 2) },
  };
}

/**
 * What the guard decided for each allocated EVSE, else what was proposed, else 0: the guard's
 * record itself when it has every EVSE (it does, unless an EVSE key is given twice).
 */
function withFallbacks(guarded: Record<string, CurrentLimit>, proposed: Record<string, CurrentLimit>, allocations: readonly Allocation[]): Record<string, CurrentLimit> {
  if (allocations.every((a) => guarded[a.evseKey] !== undefined)) return guarded;
  const out: Record<string, CurrentLimit> = {};
  for (const a of allocations) out[a.evseKey] = guarded[a.evseKey] ?? proposed[a.evseKey] ?? { maxCurrentA: 0, source: 'guard' };
  return out;
}

/** The decisions by EVSE key (the last of a key given twice). */
function recordOf(decided: readonly EvseDecision[]): Record<string, EvseDecision> {
  const out: Record<string, EvseDecision> = {};
  for (const d of decided) out[d.evseKey] = d;
  return out;
}

/** Whether `record` holds exactly these decisions, in this order. */
function sameKeys(record: Record<string, EvseDecision>, decided: readonly EvseDecision[]): boolean {
  const keys = Object.keys(record);
  if (keys.length !== decided.length) return false;
  for (let i = 0; i < keys.length; i++) if (record[keys[i] as string] !== decided[i]) return false;
  return true;
}
