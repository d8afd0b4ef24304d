import { performance } from 'node:perf_hooks';
import type { CurrentLimit } from '../energy/limit.js';
import type { AgedReading, MeterReading } from '../energy/meter-reading.js';
import type { SiteSnapshot } from '../energy/strategy.js';
import type { TimerHandle } from '../util/clock.js';
import { baseSharesOf, decide, decideSteps, type DecideParams, type DecideResult, type DecideStates } from './decide.js';
import type { EvseTarget } from './dispatcher.js';
import { ageMeters, nextStaleMs } from './meter-staleness.js';
import type { ControllerDecision, ControllerDeps, ControllerStats } from './controller-types.js';
import { LiveMerger } from './snapshot-live.js';
import { TargetKeeper } from './decision-targets.js';

export type { ControllerDecision, ControllerDeps, ControllerSite, ControllerStats, DispatchSink, SiteInputs } from './controller-types.js';

const DEFAULT_MARGIN_A = 1;
/** A reading this much above what the last decision saw (A per phase, or its power equivalent) decides at once. */
const RISE_A = 0.5;
const RISE_W = RISE_A * 230;

function rose(seen: MeterReading, now: MeterReading): boolean {
  for (const p of ['L1', 'L2', 'L3'] as const) {
    const a = now.currentA?.[p];
    if (a !== undefined && a > (seen.currentA?.[p] ?? -Infinity) + RISE_A) return true;
  }
  return now.powerW !== undefined && now.powerW > (seen.powerW ?? -Infinity) + RISE_W;
}

/**
 * Decides when to decide: meter updates and EVSE events call `trigger`, debounced; a slow
 * safety tick and a timer at the instant the freshest-expiring meter reading turns stale make
 * sure a silent meter leads to failsafe limits on time. Each decision reads the inputs, runs
 * the pure `decide`, and hands the limits and base shares to the dispatcher.
 */
export class Controller {
  private states: DecideStates;
  private readonly params: DecideParams;
  private readonly debounceMs: number;
  private readonly safetyTickMs: number;
  private debounceTimer: TimerHandle | undefined;
  private staleTimer: TimerHandle | undefined;
  private tickTimer: TimerHandle | undefined;
  /** Why the next decision is due, deduplicated, in order of first arrival (a Set: a boot storm brings thousands). */
  private pendingReasons = new Set<string>();
  private last: ControllerDecision | undefined;
  private baseCache: { key: string; shares: Record<string, CurrentLimit> } | undefined;
  private lastViolations = '';
  private lastStrategyErrors = '';
  private unsubscribe: (() => void) | undefined;
  private running = false;
  private readonly counters: ControllerStats = { decisions: 0, triggers: 0, lastDurationMs: 0, maxDurationMs: 0, totalDurationMs: 0, failures: 0, superseded: 0, stepped: 0 };
  /** Counts decisions begun; a stepped decision whose number is no longer the latest stops, and never dispatches. */
  private generation = 0;
  /** The stepped decision under way, with the reasons it took (given back to the one superseding it). */
  private inFlight: { generation: number; reasons: string[] } | undefined;
  /** The debounce window ended while a stepped decision was under way: decide again when it ends. */
  private again = false;
  /** Each meter's reading as the last decision saw it. */
  private decidedMeters: Record<string, AgedReading> = {};
  /** The live states of the last snapshot, used again while their parts do not change (buildSnapshot). */
  private readonly liveMerger = new LiveMerger();
  /** The targets last handed to the dispatcher, the same objects while equal. */
  private readonly targets = new TargetKeeper();

  constructor(private readonly deps: ControllerDeps) {
    this.states = {
      strategies: deps.strategies.map((s) => (s.state !== undefined ? s.state : s.strategy.initialState())),
      rotation: { entries: {} },
    };
    this.params = {
      ...deps.params,
      marginA: deps.params?.marginA ?? DEFAULT_MARGIN_A,
      worstCaseNonEvA: deps.params?.worstCaseNonEvA ?? deps.site.worstCaseNonEvA,
    };
    this.debounceMs = deps.debounceMs ?? 200;
    this.safetyTickMs = (deps.safetyTickS ?? 10) * 1000;
  }

  /** Starts the safety tick, listens to the dispatcher, and decides once (debounced). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.dispatcher.onControllabilityChange?.((key, controllable) =>
      this.trigger(controllable ? `evse:controllable ${key}` : `evse:uncontrollable ${key}`),
    );
    this.armTick();
    this.trigger('start');
  }

  stop(): void {
    this.running = false;
    this.drop();
    this.again = false;
    for (const t of [this.debounceTimer, this.staleTimer, this.tickTimer]) this.deps.clock.clearTimeout(t);
    this.debounceTimer = this.staleTimer = this.tickTimer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Asks for a decision within debounceMs (a meter reading, an EVSE event, an API change). */
  trigger(reason: string): void {
    this.counters.triggers++;
    this.pendingReasons.add(reason);
    if (this.debounceTimer !== undefined || !this.running) return;
    this.debounceTimer = this.deps.clock.setTimeout(() => {
      this.debounceTimer = undefined;
      this.decideSoon();
    }, this.debounceMs);
  }

  /**
   * A decision that is not urgent: at once on a small site or without yieldToLoop, else step by
   * step; while one is under way, another follows when it ends (never two at once, and never a
   * chain of stepped decisions superseding each other under steady triggers).
   */
  private decideSoon(): void {
    const yieldToLoop = this.deps.yieldToLoop;
    if (!yieldToLoop || this.deps.site.evses.length < (this.deps.steppedFromEvses ?? 0)) {
      this.decideNow();
      return;
    }
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.decideStepped(yieldToLoop);
  }

  /**
   * Stops the stepped decision under way, if any: it will neither dispatch nor keep its states,
   * and its reasons go to the next decision (whose inputs are newer).
   */
  private supersede(): boolean {
    this.generation++;
    if (!this.inFlight) return false;
    this.pendingReasons = new Set([...this.inFlight.reasons, ...this.pendingReasons]);
    this.inFlight = undefined;
    this.counters.superseded++;
    return true;
  }

  /** Supersedes the stepped decision under way with no decision at once to follow: the raises held for it are free again. */
  private drop(): void {
    if (this.supersede()) this.deps.dispatcher.holdRaises?.(false);
  }

  /**
   * Reads the inputs now and runs decideSteps, one step per turn of the event loop; the last step
   * dispatches, unless a newer decision began meanwhile (then nothing of it is kept).
   */
  private decideStepped(yieldToLoop: (next: () => void) => void): void {
    this.supersede();
    const generation = this.generation;
    const reasons = [...this.pendingReasons];
    this.pendingReasons = new Set();
    const nowMs = this.deps.clock.nowMs();
    let snapshot: SiteSnapshot | undefined;
    let steps: Generator<string, DecideResult, void>;
    try {
      snapshot = this.buildSnapshot(nowMs);
      this.decidedMeters = snapshot.meters;
      steps = decideSteps(snapshot, this.states, this.setupFor(snapshot));
    } catch (err) {
      this.failed(err, reasons, snapshot, nowMs);
      return;
    }
    this.inFlight = { generation, reasons };
    // Until it dispatches (or fails: base shares), raises of the targets it replaces wait for it.
    this.deps.dispatcher.holdRaises?.(true);
    const decided = snapshot;
    let spentMs = 0;
    const step = (): void => {
      if (this.generation !== generation) return;
      const t0 = performance.now();
      let next: IteratorResult<string, DecideResult>;
      try {
        next = steps.next();
      } catch (err) {
        this.inFlight = undefined;
        this.failed(err, reasons, decided, nowMs);
        this.decideAgainIfDue();
        return;
      }
      spentMs += performance.now() - t0;
      if (!next.done) {
        yieldToLoop(step);
        return;
      }
      this.inFlight = undefined;
      this.counters.stepped++;
      this.commit(next.value, decided, reasons, nowMs, spentMs);
      this.decideAgainIfDue();
    };
    yieldToLoop(step);
  }

  private decideAgainIfDue(): void {
    if (!this.again) return;
    this.again = false;
    if (this.running && this.pendingReasons.size > 0) this.decideSoon();
  }

  /**
   * A meter reading arrived. When it shows more load than the last decision saw (a phase current
   * up by more than RISE_A, or power up by as much on any phase), decreases may be due: decide at
   * once. Less load only allows increases, which may wait for the debounce window.
   */
  meterReading(reading: MeterReading): void {
    const seen = this.decidedMeters[reading.meterId];
    if (this.running && this.deps.decideAtOnceOnRise !== false && (!seen || rose(seen, reading))) this.decideNow(`meter ${reading.meterId} rise`);
    else this.trigger('meter');
  }

  /**
   * Decides at once (pending triggers included) and dispatches; returns the decision. A stepped
   * decision under way is superseded: its inputs are older.
   */
  decideNow(reason?: string): ControllerDecision | undefined {
    this.supersede();
    this.again = false;
    if (reason !== undefined) this.pendingReasons.add(reason);
    this.deps.clock.clearTimeout(this.debounceTimer);
    this.debounceTimer = undefined;
    const reasons = [...this.pendingReasons];
    this.pendingReasons = new Set();
    const nowMs = this.deps.clock.nowMs();
    let snapshot: SiteSnapshot | undefined;
    try {
      snapshot = this.buildSnapshot(nowMs);
      this.decidedMeters = snapshot.meters;
      const setup = this.setupFor(snapshot);
      const t0 = performance.now();
      const result = decide(snapshot, this.states, setup);
      this.commit(result, snapshot, reasons, nowMs, performance.now() - t0);
    } catch (err) {
      this.failed(err, reasons, snapshot, nowMs);
    }
    return this.last;
  }

  private setupFor(snapshot: SiteSnapshot): Parameters<typeof decide>[2] {
    const setup: Parameters<typeof decide>[2] = { strategies: this.deps.strategies.map((s) => s.strategy), params: this.params, baseShares: this.baseSharesFor(snapshot) };
    // The last decision's objects are used again where an EVSE's decision is equal (values never come from it).
    if (this.last) setup.previous = { limits: this.last.evses };
    return setup;
  }

  /** Keeps a finished decision (states, the API's last decision) and dispatches it. */
  private commit(result: DecideResult, snapshot: SiteSnapshot, reasons: string[], nowMs: number, durationMs: number): void {
    try {
      this.states = result.states;
      this.record(durationMs);
      this.last = {
        atMs: nowMs,
        reasons,
        durationMs,
        evses: result.limits,
        circuits: result.circuits,
        staleCircuits: result.staleCircuits,
        violations: result.violations,
        strategyErrors: result.strategyErrors,
      };
      this.logChanges(result);
      this.deps.dispatcher.apply(this.targets.targetsOf(result, this.deps.site.evses));
    } catch (err) {
      this.failed(err, reasons, snapshot, nowMs);
      return;
    }
    this.armStaleCheck(snapshot, nowMs);
  }

  /** A decision threw: every EVSE gets its base share. */
  private failed(err: unknown, reasons: string[], snapshot: SiteSnapshot | undefined, nowMs: number): void {
    this.counters.failures++;
    this.deps.log.error({ err: err instanceof Error ? err.message : String(err), reasons }, 'controller: decision failed; EVSEs get their base share');
    this.deps.dispatcher.apply(this.fallbackTargets());
    this.armStaleCheck(snapshot, nowMs);
  }

  lastDecision(): ControllerDecision | undefined {
    return this.last;
  }

  private readonly timedListeners: Array<(durationMs: number) => void> = [];

  stats(): ControllerStats {
    return { ...this.counters };
  }

  /**
   * The inputs as a snapshot. An EVSE's live state gets the offers sent to it and, when it is
   * uncontrollable, `controllable: false`; the merged state of the last decision is used again
   * when its parts did not change (the same live state, equal offers, the same controllability),
   * so a decision over thousands of unchanged EVSEs creates no object per EVSE.
   */
  private buildSnapshot(nowMs: number): SiteSnapshot {
    const inputs = this.deps.snapshot(nowMs);
    const live = this.liveMerger.liveOf(inputs.live, this.deps.site.evses, this.deps.dispatcher);
    const snapshot: SiteSnapshot = {
      nowMs,
      circuits: this.deps.site.circuits,
      evses: this.deps.site.evses,
      live,
      meters: ageMeters(inputs.meters, nowMs, this.deps.failsafe),
      meterRoles: this.deps.site.meterRoles,
      modes: inputs.modes ?? {},
      csmsProfiles: inputs.csmsProfiles ?? {},
    };
    if (inputs.siteLimitW) snapshot.siteLimitW = inputs.siteLimitW;
    if (inputs.csmsStationGroups) snapshot.csmsStationGroups = inputs.csmsStationGroups;
    if (inputs.setpoints) snapshot.setpoints = inputs.setpoints;
    if (inputs.solarModes) snapshot.solarModes = inputs.solarModes;
    if (inputs.evseCaps) snapshot.evseCaps = inputs.evseCaps;
    return snapshot;
  }

  /**
   * The site's EVSEs changed (a station added or removed at runtime): base shares are computed
   * again at the next decision, which is triggered now.
   */
  siteChanged(reason: string): void {
    // The site model is changed in place: a stepped decision under way would mix the two.
    this.drop();
    this.baseCache = undefined;
    this.liveMerger.clear();
    this.targets.clear();
    this.trigger(reason);
  }

  /** Base shares change only with controllability and the set of EVSEs (siteChanged): computed again only then. */
  private baseSharesFor(snapshot: SiteSnapshot): Record<string, CurrentLimit> {
    const key = snapshot.evses
      .filter((e) => snapshot.live[e.key]?.controllable === false)
      .map((e) => e.key)
      .join('\n');
    if (this.baseCache?.key !== key) this.baseCache = { key, shares: baseSharesOf(snapshot, this.params) };
    return this.baseCache.shares;
  }

  private fallbackTargets(): Record<string, EvseTarget> {
    const targets: Record<string, EvseTarget> = {};
    for (const e of this.deps.site.evses) {
      const baseA = this.baseCache?.shares[e.key]?.maxCurrentA ?? 0;
      targets[e.key] = { limitA: baseA, baseA, numberPhases: e.phases, voltageV: e.voltageV };
    }
    return targets;
  }

  /** Called with the wall time of every decision, ms (metrics keep a histogram of it). */
  onDecisionTimed(listener: (durationMs: number) => void): void {
    this.timedListeners.push(listener);
  }

  private record(durationMs: number): void {
    for (const l of this.timedListeners) l(durationMs);
    this.counters.decisions++;
    this.counters.lastDurationMs = durationMs;
    this.counters.totalDurationMs += durationMs;
    this.counters.maxDurationMs = Math.max(this.counters.maxDurationMs, durationMs);
  }

  /** Logs guard corrections and strategy failures when they change, not at every decision. */
  private logChanges(result: DecideResult): void {
    const violations = result.violations.join('\n');
    if (violations !== this.lastViolations && result.violations.length > 0) {
      this.deps.log.warn({ violations: result.violations }, 'controller: guard corrected the decision');
    }
    this.lastViolations = violations;
    const errors = result.strategyErrors.map((e) => `${e.strategy}: ${e.message}`).join('\n');
    if (errors !== this.lastStrategyErrors && result.strategyErrors.length > 0) {
      this.deps.log.error({ strategyErrors: result.strategyErrors }, 'controller: strategy failed; its decisions are left out');
    }
    this.lastStrategyErrors = errors;
  }

  /** A decision exactly when the next fresh reading turns stale (an absolute time), so failsafe comes on time. */
  private armStaleCheck(snapshot: SiteSnapshot | undefined, nowMs: number): void {
    this.deps.clock.clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    if (!this.running || !snapshot) return;
    const at = nextStaleMs(snapshot.meters, nowMs, this.deps.failsafe);
    if (at === undefined) return;
    // From the clock's time now, not the decision's: a stepped decision read its inputs earlier.
    this.staleTimer = this.deps.clock.setTimeout(() => {
      this.staleTimer = undefined;
      this.decideNow('meter:stale');
    }, Math.max(0, at - this.deps.clock.nowMs()));
  }

  private armTick(): void {
    this.tickTimer = this.deps.clock.setTimeout(() => {
      this.tickTimer = undefined;
      if (!this.running) return;
      this.trigger('tick');
      this.armTick();
    }, this.safetyTickMs);
  }
}
