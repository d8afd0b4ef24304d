import type { Clock, TimerHandle } from '../../util/clock.js';

interface Waiter {
  resolve: (result: unknown) => void;
  timer: TimerHandle;
}

/**
 * Charger answers that wait for the CSMS's answer to a queued outbox entry. Each wait ends with
 * the CSMS's result, or with undefined (refused, timed out on the clock, link gone): the hub then
 * answers the charger itself and the entry, if still queued, is replayed later.
 */
export class DeliveryWaiters {
  private readonly waiters = new Map<number, Waiter>();

  constructor(private readonly deps: { clock: Clock }) {}

  wait(seq: number, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(() => this.settle(seq, undefined), timeoutMs);
      this.waiters.set(seq, { resolve, timer });
    });
  }

  /** The CSMS answered the entry (undefined: refused it). */
  settle(seq: number, result: unknown): void {
    const w = this.waiters.get(seq);
    if (!w) return;
    this.waiters.delete(seq);
    this.deps.clock.clearTimeout(w.timer);
    w.resolve(result);
  }

  /** Ends every wait without an answer. */
  settleAll(): void {
    for (const seq of [...this.waiters.keys()]) this.settle(seq, undefined);
  }
}
