import type { CurrentLimit, LimitSource } from '../limit.js';
import type { Phase, PerPhase } from '../phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../site-model.js';
import type { EvseGroupLimit } from './group-limits.js';

/** Everything the allocation needs for one decision. Pure data; time is a field. */
export interface AllocationInput {
  nowMs: number;
  /** The circuit tree, linked by parentId; the root is the grid connection. */
  circuits: CircuitNode[];
  evses: EvseModel[];
  /** Live state by EVSE key; an EVSE without an entry counts as inactive. */
  live: Record<string, EvseLiveState>;
  /**
   * Measured non-EV load per circuit, A per grid phase, INCLUSIVE of its sub-circuits (what
   * the circuit's meter reads minus the measured currents of all EVs below it). Absent = 0.
   * Negative values (local production) are treated as 0: production can vanish faster than
   * the control loop reacts, so it never buys extra headroom.
   */
  nonEvLoadA: Record<string, Partial<PerPhase>>;
  /** Safety margin kept free on every circuit and phase, A. */
  marginA: number;
  /** Caps per EVSE key from the composite schedule and strategies, each with its source. */
  caps: Record<string, CurrentLimit[]>;
  /** How long an EVSE keeps its turn before paused ones take over, s (default 900). */
  rotationPeriodS?: number;
  /** An EV drawing clearly less than offered is capped at measured + this, A (default 2). */
  drawHeadroomA?: number;
  /** Time an EV gets to ramp up after its offer was raised before under-draw counts, s (default 30). */
  drawSettleS?: number;
  /** Phase voltage used to convert non-EV current into power for maxPowerW, V (default 230). */
  nominalVoltageV?: number;
  /**
   * EVSEs held at a given current whatever the others get (e.g. failsafe below a stale meter).
   * Budgeted first, like uncontrollable EVSEs.
   */
  fixed?: Record<string, CurrentLimit>;
  /** Temporary site-wide import limit in W, applied at the root on top of its maxPowerW. */
  siteLimitW?: { powerW: number; source: LimitSource };
  /** Limits on the sum of groups of EVSEs (a CSMS's station-wide cap), without non-EV load. */
  groupLimits?: readonly EvseGroupLimit[];
  /**
   * Room kept for ramps the chargers have not reported yet (they show in the meter as non-EV
   * load before the reports follow), so that what is handed out still fits when they do:
   * - `pendingA`: per EVSE key, A per EVSE phase of raises not yet confirmed, kept free on its
   *   circuits;
   * - `starts`: an EVSE that holds less than its minimum (see `heldA`) is admitted only where
   *   twice its minimum fits, and the second minimum is kept free for its own first ramp.
   * Absent: nothing is kept (the behaviour of earlier releases).
   */
  rampRoom?: { pendingA: Record<string, readonly number[]>; starts: boolean };
  /**
   * Each EVSE's limits from an earlier decision (an EvseDecision has them): where the list made
   * for an EVSE now is equal to it (every field of every limit), the earlier list and its objects
   * are used instead, so that an EVSE whose inputs did not change keeps its objects from one
   * decision to the next. The result's values do not depend on it.
   */
  previousLimits?: Readonly<Record<string, { limits: CurrentLimit[] }>>;
}

/**
 * What happened to an EVSE:
 * - charging: got at least its minimum;
 * - paused: got 0 (not enough for its minimum, its turn in the rotation, a cap below its min);
 * - inactive: no EV wants power;
 * - uncontrollable: cannot be limited, budgeted at its max;
 * - fixed: held at a current given in the input.
 */
export type AllocationStatus = 'charging' | 'paused' | 'inactive' | 'uncontrollable' | 'fixed';

export interface Allocation {
  evseKey: string;
  /** Current per EVSE phase, A; 0 or at least the EVSE's minimum (except uncontrollable/fixed). */
  currentA: number;
  status: AllocationStatus;
  /** Every limit that applied to this EVSE (its max, caps, its circuit share when that bound). */
  limits: CurrentLimit[];
  /** The limit that decided the current. */
  binding: CurrentLimit;
}

/** One grid phase of a circuit. */
export interface PhaseBudget {
  /** The circuit's max current on this phase, A. */
  limitA: number;
  /** Non-EV load counted on this phase (inclusive of sub-circuits), A. */
  nonEvA: number;
  /** What EVs may use: limitA - nonEvA - margin, A (may be negative). */
  availableA: number;
  /** Sum of the currents given to EVSEs below this circuit on this phase, A. */
  allocatedA: number;
}

export interface PowerBudget {
  limitW: number;
  nonEvW: number;
  availableW: number;
  allocatedW: number;
  source: LimitSource;
}

export interface CircuitBudget {
  circuitId: string;
  phases: Record<Phase, PhaseBudget>;
  /** Present when the circuit (or the site limit at the root) limits power. */
  power?: PowerBudget;
}

/** Where an EVSE stands in the pause rotation, and what it was offered last. */
export interface RotationEntry {
  /** served: admitted at its minimum or more; paused: left out for lack of capacity. */
  status: 'served' | 'paused';
  /** When the status last changed, ms since the epoch. */
  sinceMs: number;
  /** Current offered by the last allocation, A. */
  offeredA: number;
  /** When the offer was last raised noticeably, ms since the epoch. */
  raisedMs: number;
}

/** Memory of the allocation between calls; entries exist for active, controllable EVSEs. */
export interface RotationState {
  entries: Record<string, RotationEntry>;
}

export function initialRotationState(): RotationState {
  return { entries: {} };
}

export interface AllocationResult {
  allocations: Allocation[];
  circuits: CircuitBudget[];
  state: RotationState;
}
