/** A timer handle returned by a Clock. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * The only source of time in Switchyard. Production code takes a Clock in its deps;
 * tests pass a FakeClock and advance it, so nothing waits on real time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

let nextSystemTimerId = 1;

export interface SystemClockOptions {
  /**
   * Told about an exception thrown by a timer callback. The exception goes no further: a timer
   * that fails must not end the process (default: written to stderr).
   */
  onTimerError?: (err: unknown) => void;
}

/** The wall clock, backed by Node's timers. */
export function systemClock(opts: SystemClockOptions = {}): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  const onTimerError = opts.onTimerError ?? ((err: unknown) => console.error('timer callback failed:', err));
  return {
    nowMs: () => Date.now(),
    setTimeout(fn, delayMs) {
      const id = nextSystemTimerId++;
      const t = setTimeout(() => {
        timers.delete(id);
        try {
          fn();
        } catch (err) {
          onTimerError(err);
        }
      }, Math.max(0, delayMs));
      t.unref?.();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** ISO-8601 UTC string for a millisecond timestamp, as OCPP wants it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
