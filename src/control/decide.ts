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
  type AllocationStatus,
  type CircuitBudget,
  type RotationState,
  type Allocation,
} from '../energy/allocation/index.js';
import { sameLimit, sameLimits, type CurrentLimit } from '../energy/limit.js';
import { sameFields } from '../util/same-fields.js';
import type { PerPhase } from '../energy/phases.js';
import type { SiteSnapshot, Strategy } from '../energy/strategy.js';
import type { EvseModel } from '../energy/site-model.js';
import { DEFAULT_FOLLOW_S, siteLoad, type NonEvEstimator } from '../../strategies/load-balancing/site-load.js';
import { pendingRampA, rampStateOf, reserveRampsSteps, type RampState } from './ramp-reserve.js';
import { holdWhereFitsSteps } from './hold-where-fits.js';
import { fitsAloneSteps } from './fits-alone.js';
import { guardSteps } from './guard.js';
import { drain, EVSES_PER_STEP, type Steps } from '../energy/steps.js';
import { csmsCaps, csmsGroupLimits } from './csms-caps.js';
import { addDecisionCaps } from './strategy-caps.js';
import { addDecisionSetpoints, clampSetpoint, type WantedSetpoint } from './decision-setpoints.js';
import { effectiveMode } from './operation-modes.js';
import type { SetpointMode } from './profile-payload.js';

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

/** What was decided for one EVSE, and why. */
export interface EvseDecision {
  evseKey: string;
  /** The limit to send, A per phase; its source is the one that bound. */
  limit: CurrentLimit;
  status: AllocationStatus;
  /** Every limit that applied (own max, CSMS, strategies, circuit share, guard, failsafe). */
  limits: CurrentLimit[];
  /** The guaranteed safe share (the base profile). */
  baseShare: CurrentLimit;
  /**
   * Power setpoint from the strategies, W (positive charges, negative discharges), clamped: never
   * above `limit` at the EVSE's voltage and phases, never below `dischargeLimitW`. Absent when no
   * strategy gave one, on failsafe and in Idle. Only OCPP 2.1 EVSEs receive it.
   */
  setpointW?: number;
  /** Most negative power allowed, W (<= 0; 0 for an EVSE that cannot discharge). With setpointW. */
  dischargeLimitW?: number;
  /** operationMode sent with the setpoint: ExternalSetpoint for an EVSE in that mode, else CentralSetpoint. */
  setpointMode?: SetpointMode;
  /**
   * For an increase: the limit it may take at once, without waiting for decreases elsewhere to be
   * followed (fits-alone.ts), A. Absent: the increase waits for them (make before break).
   */
  aloneA?: number;
  /** Who gave the setpoint and why (with any clamping). */
  setpointSource?: string;
  setpointReason?: string;
}

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
  for (const a of allocation.allocations) proposed[a.evseKey] = boundAt(a);
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

  const evseByKey = new Map(snapshot.evses.map((e) => [e.key, e]));
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
  let allKept = previous !== undefined;
  let n = 0;
  for (const a of allocation.allocations) {
    if (n++ % EVSES_PER_STEP === EVSES_PER_STEP - 1) yield 'limits';
    const finalLimit = finals[a.evseKey] ?? { maxCurrentA: 0, source: 'guard' };
    const ev = evseByKey.get(a.evseKey);
    if (finalLimit.maxCurrentA !== a.currentA) changes.push({ key: a.evseKey, minA: ev ? evseMinA(ev) : 0, finalA: finalLimit.maxCurrentA });
    const same = finalLimit.maxCurrentA === a.currentA && finalLimit.source === a.binding.source;
    const limit = same ? boundAt(a) : finalLimit;
    const prev = previous?.[a.evseKey];
    const decision: EvseDecision = {
      evseKey: a.evseKey,
      limit,
      status: a.status,
      limits: same ? a.limits : keptLimits(prev?.limits, a.limits, finalLimit),
      baseShare: baseShares[a.evseKey] ?? { maxCurrentA: 0, source: 'failsafe', reason: 'no base share' },
      ...(alone[a.evseKey] !== undefined ? { aloneA: alone[a.evseKey] } : {}),
      ...setpointFields(wantedSetpoints[a.evseKey], limit, ev, snapshot),
    };
    const kept = prev && sameDecision(prev, decision) ? prev : decision;
    if (kept !== prev) allKept = false;
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

/** The limit an allocation bound at its current: its binding itself when that already says so. */
function boundAt(a: Allocation): CurrentLimit {
  return a.binding.maxCurrentA === a.currentA ? a.binding : { ...a.binding, maxCurrentA: a.currentA };
}

/** `[...base, last]`, or `prev` when it holds the same limits. */
function keptLimits(prev: CurrentLimit[] | undefined, base: CurrentLimit[], last: CurrentLimit): CurrentLimit[] {
  if (prev?.length === base.length + 1 && sameLimit(prev[base.length] as CurrentLimit, last)) {
    let i = 0;
    while (i < base.length && sameLimit(prev[i] as CurrentLimit, base[i] as CurrentLimit)) i++;
    if (i === base.length) return prev;
  }
  return [...base, last];
}

/** Two decisions of one EVSE with the same fields and values (limits compared field by field). */
function sameDecision(a: EvseDecision, b: EvseDecision): boolean {
  return sameFields(a, b, sameDecisionField);
}

function sameDecisionField(field: string, x: unknown, y: unknown): boolean {
  if (field === 'limit' || field === 'baseShare') return Boolean(y) && sameLimit(x as CurrentLimit, y as CurrentLimit);
  if (field === 'limits') return Array.isArray(y) && sameLimits(x as CurrentLimit[], y as CurrentLimit[]);
  return false;
}

/** The clamped setpoint of one EVSE as EvseDecision fields; none on failsafe, in Idle or without one. */
function setpointFields(wanted: WantedSetpoint | undefined, limit: CurrentLimit, evse: EvseModel | undefined, snapshot: SiteSnapshot): Partial<EvseDecision> {
  if (!evse || wanted?.setpointW === undefined || limit.source === 'failsafe') return {};
  const mode = effectiveMode(snapshot, evse);
  if (mode === 'Idle') return {};
  const sp = clampSetpoint(wanted, limit, evse, mode === 'ExternalSetpoint' ? 'ExternalSetpoint' : 'CentralSetpoint');
  if (!sp) return {};
  return { setpointW: sp.setpointW, dischargeLimitW: sp.dischargeLimitW, setpointMode: sp.operationMode, setpointSource: sp.source, setpointReason: sp.reason };
}
