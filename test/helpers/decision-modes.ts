/**
 * The two ways the hub runs a decision that is not urgent (see Controller): at once, or step by
 * step (production: sites of 500 EVSEs or more, a setImmediate between steps). Safety tests of the
 * control loop run in both, on small sites: stepped mode sets the threshold to 0 and lets the
 * FakeClock run the steps, each `yieldMs` of simulated time after the one before, so what happens
 * meanwhile (meter readings, charger messages, urgent decisions) comes between them the same way
 * on any machine.
 */
export interface DecisionMode {
  /** For test names. */
  name: string;
  /** The hub's threshold; undefined: the production default (500). */
  steppedFromEvses?: number;
  /** Simulated time between two steps, ms (FakeClockOptions.yieldMs). */
  yieldMs?: number;
}

export const AT_ONCE: DecisionMode = { name: 'deciding at once' };
/**
 * A step every 45 ms of simulated time: a decision on a small site (about 20 steps) then takes
 * about 900 ms, longer than one over thousands of EVSEs takes in production (a few hundred ms),
 * so that with a debounce of 200 ms and a grid meter every second the next reading arrives while
 * it runs: rises supersede it, charger reports and answers come between its steps.
 */
export const STEPPED: DecisionMode = { name: 'deciding step by step', steppedFromEvses: 0, yieldMs: 45 };
/** Both modes, for describe.each. */
export const DECISION_MODES: readonly DecisionMode[] = [AT_ONCE, STEPPED];

/** The hub options of a mode (for startTestHub). */
export function hubOptionsOf(mode: DecisionMode): { steppedFromEvses?: number } {
  return mode.steppedFromEvses !== undefined ? { steppedFromEvses: mode.steppedFromEvses } : {};
}
