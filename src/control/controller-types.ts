import type { CircuitBudget } from '../energy/allocation/index.js';
import type { ChargingProfile, OperationMode } from '../energy/charging-profile.js';
import type { AgedReading } from '../energy/meter-reading.js';
import type { OfferStep } from '../energy/draw/draw-at.js';
import type { PerPhase } from '../energy/phases.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../energy/site-model.js';
import type { SiteSnapshot, Strategy } from '../energy/strategy.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { DecideParams, DecideResult, EvseDecision } from './decide.js';
import type { ControllabilityListener, EvseTarget } from './dispatcher.js';
import type { StalenessRule } from './meter-staleness.js';

/** The live inputs of a decision, read at decision time. */
export interface SiteInputs {
  /** Latest reading per meter id (e.g. the meter hub's snapshot). */
  meters: Record<string, AgedReading>;
  /**
   * Live state per EVSE key; an EVSE without one counts as inactive. Read once, when the decision
   * begins (a map kept by the caller may change afterwards).
   */
  live: Record<string, EvseLiveState> | ReadonlyMap<string, EvseLiveState>;
  modes?: Record<string, OperationMode>;
  /** CSMS profiles per station id. */
  csmsProfiles?: Record<string, ChargingProfile[]>;
  /** Stations sharing one evse 0 towards the CSMS (see SiteSnapshot.csmsStationGroups). */
  csmsStationGroups?: SiteSnapshot['csmsStationGroups'];
  /** Site-wide import limit (API override, cron rule). */
  siteLimitW?: SiteSnapshot['siteLimitW'];
  setpoints?: SiteSnapshot['setpoints'];
  /** Solar modes set at runtime per EVSE key (see SiteSnapshot.solarModes). */
  solarModes?: SiteSnapshot['solarModes'];
  /** Limits per EVSE known before the strategies run (e.g. an operator's max-current setting). */
  evseCaps?: SiteSnapshot['evseCaps'];
}

/** What the controller needs from the dispatcher (the Dispatcher class has it all). */
export interface DispatchSink {
  apply(targets: Record<string, EvseTarget>): void;
  isControllable(evseKey: string): boolean;
  /** Offers sent to an EVSE recently (oldest first): the non-EV estimate lines them up with meter readings. */
  offersOf?(evseKey: string): readonly OfferStep[];
  onControllabilityChange?(listener: ControllabilityListener): () => void;
  /**
   * A decision run in steps is under way (true) or was dropped (false): raises of the targets it
   * will replace wait for its `apply` (see Dispatcher.holdRaises).
   */
  holdRaises?(held: boolean): void;
}

export interface ControllerSite {
  circuits: CircuitNode[];
  evses: EvseModel[];
  meterRoles: SiteSnapshot['meterRoles'];
  /** Worst-case non-EV load per circuit, A per phase (see SiteModel); used unless params give one. */
  worstCaseNonEvA?: Record<string, Partial<PerPhase>>;
}

export interface ControllerDeps {
  clock: Clock;
  log: Logger;
  site: ControllerSite;
  /** Run in this order; `state` defaults to the strategy's initial state. */
  strategies: { strategy: Strategy<unknown>; state?: unknown }[];
  /** Reads the live inputs at decision time. */
  snapshot: (nowMs: number) => SiteInputs;
  dispatcher: DispatchSink;
  /**
   * Triggers within this window make one decision, ms. Default 200. A meter reading that shows
   * more load than the last decision saw (see meterReading) does not wait.
   */
  debounceMs?: number;
  /** Decide at once on a meter reading that shows more load than the last decision saw. Default true. */
  decideAtOnceOnRise?: boolean;
  /** A decision at least this often even without triggers, s. Default 10. */
  safetyTickS?: number;
  /** When meters count as stale (their EVSEs then get failsafe limits). */
  failsafe: StalenessRule;
  /** Allocation knobs; marginA defaults to 1 A. */
  params?: Partial<DecideParams>;
  /**
   * Runs `next` once the event loop has served what is waiting (the hub: setImmediate). With it,
   * a decision that is not urgent (debounced triggers, the safety tick) on a site of at least
   * `steppedFromEvses` EVSEs runs step by step (decideSteps), so a decision over thousands of
   * EVSEs does not hold up the stations' messages for its whole length. Without it every
   * decision runs at once. The hub passes its clock's yield (`yieldOf(clock)`: setImmediate on the
   * system clock; a FakeClock runs the steps as it is advanced).
   */
  yieldToLoop?: (next: () => void) => void;
  /** Sites with fewer EVSEs decide at once even with yieldToLoop (a decision there is short). Default 0. */
  steppedFromEvses?: number;
}

/** The last decision as the API shows it. */
export interface ControllerDecision {
  atMs: number;
  /** What triggered it (deduplicated, in order). */
  reasons: string[];
  /** Wall time the pure decision took, ms (a stepped one: its steps, not the waits between them). */
  durationMs: number;
  /** Per EVSE key: the limit with its binding source, all limits, status, base share. */
  evses: Record<string, EvseDecision>;
  /** Per circuit: budget per phase (and power). */
  circuits: CircuitBudget[];
  staleCircuits: Record<string, string>;
  violations: string[];
  strategyErrors: DecideResult['strategyErrors'];
}

export interface ControllerStats {
  decisions: number;
  triggers: number;
  lastDurationMs: number;
  maxDurationMs: number;
  totalDurationMs: number;
  /** Decisions that threw (the EVSEs then got their base share). */
  failures: number;
  /** Stepped decisions dropped unfinished because a newer one (urgent, or after a site change) came first. */
  superseded: number;
  /** Decisions that ran step by step and dispatched (counted in `decisions` too). */
  stepped: number;
}
