import type { PerPhase } from '../../src/energy/phases.js';
import type { Decision, SiteSnapshot, Strategy } from '../../src/energy/strategy.js';
import type { CurrentLimit } from '../../src/energy/limit.js';
import {
  allocate,
  baseShare,
  buildCircuitTree,
  evseMinA,
  evsesBelow,
  initialRotationState,
  loadStaleCircuits,
  type AllocationInput,
  type AllocationResult,
  type RotationState,
} from '../../src/energy/allocation/index.js';
import { siteLoad, type NonEvEstimator } from './site-load.js';

export interface LoadBalancingParams {
  /** Safety margin kept free on every circuit and phase, A. */
  marginA: number;
  /** How long an EVSE keeps its turn when not all minimums fit, s. */
  rotationPeriodS: number;
  /**
   * Worst-case non-EV load per circuit (inclusive of sub-circuits), A per phase: the basis of
   * base shares (failsafe), and the load assumed on circuits without a meter.
   */
  worstCaseNonEvA?: Record<string, Partial<PerPhase>>;
  /** An EV drawing clearly less than offered is capped at measured + this, A (default 2). */
  drawHeadroomA?: number;
  /** Ramp-up time after a raised offer before under-draw counts, s (default 30). */
  drawSettleS?: number;
  /** Phase voltage for power limits, V (default 230). */
  nominalVoltageV?: number;
  /** How EV draw is taken off meter readings (default aligned; see site-load.ts). */
  nonEvEstimator?: NonEvEstimator;
  /** Longest time an EV takes to follow a lower limit, s (default 30). */
  followS?: number;
}

export interface LoadBalancingState {
  rotation: RotationState;
}

export const LOAD_BALANCING = 'load-balancing';

/**
 * The allocation input for a snapshot: non-EV load from the circuit meters; below a stale
 * meter (evcc: stale means overloaded) every EVSE is held at its base share (source
 * `failsafe`) and the circuit counts as full.
 */
export function loadBalancingInput(snapshot: SiteSnapshot, params: LoadBalancingParams): AllocationInput {
  const tree = buildCircuitTree(snapshot.circuits);
  const load = siteLoad(snapshot, tree, params);
  const staleIds = Object.keys(load.stale);
  const fixed: Record<string, CurrentLimit> = {};
  const heldA: Record<string, number> = {};
  if (staleIds.length > 0) {
    const base = baseShare({
      circuits: snapshot.circuits,
      evses: snapshot.evses,
      worstCaseNonEvA: params.worstCaseNonEvA,
      marginA: params.marginA,
      nominalVoltageV: params.nominalVoltageV,
      live: snapshot.live,
    });
    const below = evsesBelow(tree, snapshot.evses, staleIds);
    for (const e of snapshot.evses) {
      if (!below.has(e.key)) continue;
      const a = base[e.key]?.maxCurrentA ?? 0;
      const held = a < evseMinA(e) ? 0 : a;
      heldA[e.key] = held;
      const why = staleIds.map((id) => `${id}: ${load.stale[id]}`).join('; ');
      fixed[e.key] = { maxCurrentA: held, source: 'failsafe', reason: `${why}: base share` };
    }
  }
  return {
    nowMs: snapshot.nowMs,
    circuits: snapshot.circuits,
    evses: snapshot.evses,
    live: snapshot.live,
    nonEvLoadA: loadStaleCircuits(tree, snapshot.evses, snapshot.live, load.nonEvLoadA, staleIds, heldA, params.marginA),
    marginA: params.marginA,
    caps: snapshot.evseCaps ?? {},
    rotationPeriodS: params.rotationPeriodS,
    drawHeadroomA: params.drawHeadroomA,
    drawSettleS: params.drawSettleS,
    nominalVoltageV: params.nominalVoltageV,
    fixed,
    siteLimitW: snapshot.siteLimitW,
  };
}

/** One decision per EVSE: its allocated current, with the source that decided it and why. */
export function toDecisions(result: AllocationResult): Decision[] {
  return result.allocations.map((a) => ({
    evseKey: a.evseKey,
    maxCurrentA: a.currentA,
    source: a.binding.source,
    reason: `${a.status}: ${a.binding.reason ?? a.binding.source}`,
  }));
}

/** Local load balancing: fair, priority-weighted, per-phase shares of the circuit tree. */
export function loadBalancing(params: LoadBalancingParams): Strategy<LoadBalancingState> {
  return {
    name: LOAD_BALANCING,
    initialState: () => ({ rotation: initialRotationState() }),
    decide(snapshot, state) {
      const result = allocate(loadBalancingInput(snapshot, params), state.rotation);
      return { decisions: toDecisions(result), state: { rotation: result.state } };
    },
  };
}
