import type { Clock, TimerHandle } from './clock.js';

interface PendingTimer {
  id: number;
  dueMs: number;
  fn: () => void;
}

export interface FakeClockOptions {
  /**
   * Simulated time a yield to the event loop takes, ms (default 0): a `yieldToLoop` callback is a
   * timer due this long after it was queued. With 0, work cut into steps still runs step by step,
   * each step after the timers already due at that instant; with more, it spreads over simulated
   * time, and whatever a test does between advances (messages, meter readings) comes between its
   * steps, the same way on any machine.
   */
  yieldMs?: number;
}

/**
 * A clock that only moves when told. Timers fire in due order during advanceMs(), and so do the
 * callbacks given to yieldToLoop (see FakeClockOptions.yieldMs; `advanceMs(0)` runs those due now).
 * Used by tests and by time-compressed benchmarks.
 */
export class FakeClock implements Clock {
  private now: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];
  private readonly yieldMs: number;

  constructor(startMs = Date.UTC(2026, 0, 5, 8, 0, 0), opts: FakeClockOptions = {}) {
    this.now = startMs;
    this.yieldMs = Math.max(0, opts.yieldMs ?? 0);
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, dueMs: this.now + Math.max(0, delayMs), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Queues `next` as a timer due `yieldMs` from now (a subclass that tracks timers sees it as one). */
  yieldToLoop(next: () => void): void {
    this.setTimeout(next, this.yieldMs);
  }

  /** Number of timers still pending. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing every timer that falls due, in order. */
  advanceMs(deltaMs: number): void {
    const target = this.now + deltaMs;
    for (;;) {
      const due = this.timers
        .filter((t) => t.dueMs <= target)
        .sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.now = Math.max(this.now, due.dueMs);
      due.fn();
    }
    this.now = target;
  }

  /** Sets the time (forward only), firing due timers. */
  setNowMs(ms: number): void {
    if (ms > this.now) this.advanceMs(ms - this.now);
  }
}
