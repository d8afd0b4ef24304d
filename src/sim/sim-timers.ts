/**
 * The timers of one simulated station, all through the injected Clock, so a station's timers can
 * be cancelled together when it stops or resets. A timer of a stopped station does not fire.
 */
import type { Clock, TimerHandle } from '../util/clock.js';

export interface SimTimersDeps {
  clock: Clock;
  /** True once the station has been stopped. */
  isStopped(): boolean;
}

export class SimTimers {
  private readonly clock: Clock;
  private readonly isStopped: () => boolean;
  private readonly handles = new Set<TimerHandle>();
  private readonly wakers = new Set<() => void>();

  constructor(deps: SimTimersDeps) {
    this.clock = deps.clock;
    this.isStopped = deps.isStopped;
  }

  after(delayMs: number, fn: () => void): TimerHandle {
    const handle = this.clock.setTimeout(() => {
      this.handles.delete(handle);
      if (!this.isStopped()) fn();
    }, delayMs);
    this.handles.add(handle);
    return handle;
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.clock.clearTimeout(handle);
    this.handles.delete(handle);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
      this.after(ms, wake);
    });
  }

  /** Cancels every timer; a sleep whose timer is cancelled does not end (see wakeSleepers). */
  cancelAll(): void {
    for (const t of this.handles) this.clock.clearTimeout(t);
    this.handles.clear();
  }

  /** Ends every sleep now. */
  wakeSleepers(): void {
    for (const wake of this.wakers) wake();
  }
}
