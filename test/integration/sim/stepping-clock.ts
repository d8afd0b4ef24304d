import type { TimerHandle } from '../../../src/util/clock.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

/**
 * A FakeClock that knows when its next timer falls due, so a simulation can move time on from
 * event to event (every timer fires at its exact instant) instead of in fixed steps.
 */
export class SteppingClock extends FakeClock {
  private readonly due = new Map<number, number>();

  override setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const dueMs = this.nowMs() + Math.max(0, delayMs);
    const handle = super.setTimeout(() => {
      this.due.delete(handle.id);
      fn();
    }, delayMs);
    this.due.set(handle.id, dueMs);
    return handle;
  }

  override clearTimeout(handle: TimerHandle | undefined): void {
    if (handle) this.due.delete(handle.id);
    super.clearTimeout(handle);
  }

  /** When the earliest pending timer falls due, ms since the epoch; undefined when none is pending. */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const d of this.due.values()) if (next === undefined || d < next) next = d;
    return next;
  }
}
