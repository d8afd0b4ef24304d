/**
 * Long pure computations as steps: a generator yields between parts of the work (every
 * EVSES_PER_STEP EVSEs in a loop over the site) so that a caller may let other work run in
 * between; `drain` runs one to the end at once. Pure: no I/O, no clock.
 */

/** EVSEs handled per step in loops over every EVSE of the site. */
export const EVSES_PER_STEP = 500;

/** A computation as steps: yields the name of the part just done, returns the result. */
export type Steps<T> = Generator<string, T, void>;

/** Runs the steps to the end at once and returns the result. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
