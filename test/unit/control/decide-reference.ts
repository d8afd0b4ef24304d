/**
 * The decision as it was made before its last loops were stepped and its per-EVSE decision built
 * without spreads (src/control/decide.ts at that time, its yields left out, and the strategies'
 * caps and setpoints added as they were then): what the current `decide` must equal, field for
 * field and object for object.
 */
import {
  allocateSteps,
  evseMinA,
  evsesBelow,
  fitBaseSharesToGroups,
  buildCircuitTree,
  loadStaleCircuits,
  rotationAsSent,
  DEFAULT_DRAW_HEADROOM_A,
  type SentChange,
  type Allocation,
} from '../../../src/energy/allocation/index.js';
import { sameLimit, sameLimits, type CurrentLimit } from '../../../src/energy/limit.js';
import { sameFields } from '../../../src/util/same-fields.js';
import type { Decision, SiteSnapshot } from '../../../src/energy/strategy.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import { DEFAULT_FOLLOW_S, siteLoad } from '../../../strategies/load-balancing/site-load.js';
import { pendingRampA, rampStateOf, reserveRampsSteps, type RampState } from '../../../src/control/ramp-reserve.js';
import { holdWhereFitsSteps } from '../../../src/control/hold-where-fits.js';
import { fitsAloneSteps } from '../../../src/control/fits-alone.js';
import { guardSteps } from '../../../src/control/guard.js';
import { drain } from '../../../src/energy/steps.js';
import { csmsCaps, csmsGroupLimits } from '../../../src/control/csms-caps.js';
import { capsOfDecision } from '../../../src/control/strategy-caps.js';
import { clampSetpoint, type WantedSetpoint } from '../../../src/control/decision-setpoints.js';
import { effectiveMode } from '../../../src/control/operation-modes.js';
import { baseSharesOf, type DecideResult, type DecideSetup, type DecideStates, type EvseDecision } from '../../../src/control/decide.js';

function addCapsBefore(caps: Record<string, CurrentLimit[]>, decisions: readonly Decision[], evses: readonly EvseModel[]): void {
  const byKey = new Map(evses.map((e) => [e.key, e]));
  for (const d of decisions) {
    const targets = d.evseKey === undefined ? evses : [byKey.get(d.evseKey)].filter((e): e is EvseModel => e !== undefined);
    for (const evse of targets) {
      const add = capsOfDecision(d, evse);
      if (add.length === 0) continue;
      caps[evse.key] = [...(caps[evse.key] ?? []), ...add];
    }
  }
}

function addSetpointsBefore(wanted: Record<string, WantedSetpoint>, decisions: readonly Decision[], evses: readonly EvseModel[]): void {
  const known = new Set(evses.map((e) => e.key));
  for (const d of decisions) {
    if (d.setpointW === undefined && d.dischargeLimitW === undefined) continue;
    const keys = d.evseKey === undefined ? [...known] : known.has(d.evseKey) ? [d.evseKey] : [];
    for (const key of keys) {
      const w = (wanted[key] ??= {});
      if (d.setpointW !== undefined) {
        w.setpointW = Number.isFinite(d.setpointW) ? d.setpointW : 0;
        w.source = d.source;
        w.reason = d.reason;
      }
      if (d.dischargeLimitW !== undefined && Number.isFinite(d.dischargeLimitW)) {
        const limitW = Math.min(0, d.dischargeLimitW);
        w.dischargeLimitW = w.dischargeLimitW === undefined ? limitW : Math.max(w.dischargeLimitW, limitW);
      }
    }
  }
}

export function decideBefore(snapshot: SiteSnapshot, states: DecideStates, setup: DecideSetup): DecideResult {
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
      addCapsBefore(caps, out.decisions, snapshot.evses);
      addSetpointsBefore(wantedSetpoints, out.decisions, snapshot.evses);
      strategyStates.push(out.state);
    } catch (err) {
      strategyErrors.push({ strategy: strategy.name, message: err instanceof Error ? err.message : String(err) });
      strategyStates.push(before);
    }
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

  const calmOn = params.rampReserve !== false;
  const followS = params.followS ?? DEFAULT_FOLLOW_S;
  const pendingA: Record<string, readonly number[]> = {};
  // Each EVSE's ramp state, once: the allocation's room and both ramp reserves below read it.
  const rampStates = new Map<string, RampState | undefined>();
  if (calmOn) {
    for (const e of snapshot.evses) {
      const state = rampStateOf(e, snapshot.live[e.key], snapshot.nowMs, followS);
      // Absent reads as undefined: every EVSE of the snapshot is looked at here.
      if (state !== undefined) rampStates.set(e.key, state);
      const p = pendingRampA(state);
      if (p.some((a) => a > 0)) pendingA[e.key] = p;
    }
  }
  const allocation = drain(allocateSteps(
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
  ));

  const proposed: Record<string, CurrentLimit> = {};
  for (const a of allocation.allocations) proposed[a.evseKey] = boundAt(a);
  const guarded = drain(guardSteps({
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
  }));

  const evseByKey = new Map(snapshot.evses.map((e) => [e.key, e]));
  const previous = setup.previous?.limits;
  const guardedLimits = withFallbacks(guarded.limits, proposed, allocation.allocations);
  const notHeld = new Set(groupLimits.flatMap((g) => g.evseKeys));
  const calm = { nowMs: snapshot.nowMs, tree, evses: snapshot.evses, live: snapshot.live, circuits: allocation.circuits, followS, notHeld, capsA };
  // Starts first (staged so their ramps fit), then the decreases that are not needed are held,
  // then the other increases are staged to what is left.
  let finals = guardedLimits;
  if (calmOn) {
    finals = drain(reserveRampsSteps({ ...calm, limits: finals, rampStates }));
    finals = drain(holdWhereFitsSteps({ ...calm, limits: finals }));
    finals = drain(reserveRampsSteps({ ...calm, limits: finals, rampStates }));
  }
  // Not with CSMS caps on a sum of EVSEs or a site power limit: those are not in the budgets.
  const alone = calmOn && groupLimits.length === 0 && snapshot.siteLimitW === undefined ? drain(fitsAloneSteps({ ...calm, limits: finals })) : {};
  const changes: SentChange[] = [];
  const decided: EvseDecision[] = [];
  let allKept = previous !== undefined;
  for (const a of allocation.allocations) {
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
