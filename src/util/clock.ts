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
  /**
   * Runs `next` once the event loop has served what is waiting (I/O, messages), without waiting
   * for time to pass: how long work is cut into steps (the system clock: setImmediate; a fake
   * clock: when it is advanced, see FakeClock). Optional: `yieldOf` gives setImmediate for a
   * clock without it.
   */
  yieldToLoop?(next: () => void): void;
}

/** The clock's yield (see Clock.yieldToLoop), or setImmediate when it has none. */
export function yieldOf(clock: Clock): (next: () => void) => void {
  if (clock.yieldToLoop) return (next) => clock.yieldToLoop?.(next);
  return (next) => setImmediate(next);
}

let nextSystemTimerId = 1;

export interface SystemClockOptions {
  /**
   * Told about an exception thrown by a timer callback. The exception goes no further: a timer
   * that fails must not end the process (default: written to stderr).
   */
  onTimerError?: (err: unknown) => void;
}

/**
 * A system clock's timer: the handle holds Node's timer itself, so a timer costs its handle, one
 * closure and Node's Timeout, and no entry in a table of every timer (keep-alive pings alone are
 * one timer per connected station, each living a ping interval).
 */
class SystemTimer implements TimerHandle {
  readonly id = nextSystemTimerId++;
  readonly timeout: NodeJS.Timeout;

  /** `run` is the caller's callback already guarded against throwing (one closure per timer). */
  constructor(run: () => void, delayMs: number) {
    this.timeout = setTimeout(run, Math.max(0, delayMs));
    this.timeout.unref?.();
  }
}

/** The wall clock, backed by Node's timers. */
export function systemClock(opts: SystemClockOptions = {}): Clock {
  const onTimerError = opts.onTimerError ?? ((err: unknown) => console.error('timer callback failed:', err));
  const guarded = (fn: () => void) => () => {
    try {
      fn();
    } catch (err) {
      onTimerError(err);
    }
  };
  return {
    nowMs: () => Date.now(),
    setTimeout: (fn, delayMs) => new SystemTimer(guarded(fn), delayMs),
    clearTimeout(handle) {
      // A handle of another kind of clock is not this clock's timer.
      if (handle instanceof SystemTimer) clearTimeout(handle.timeout);
    },
    yieldToLoop(next) {
      setImmediate(guarded(next));
    },
  };
}

/** ISO-8601 UTC string for a millisecond timestamp, as OCPP wants it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
