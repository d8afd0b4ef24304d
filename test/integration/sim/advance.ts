import type { SimCharger, SimChargerState } from '../../../src/sim/sim-charger.js';
import type { FakeClock } from '../../../src/util/fake-clock.js';
import type { ReceivedCall, TestCsms } from './test-csms.js';

/**
 * Advances the fake clock, then waits until the CSMS has received a matching call sent after
 * the advance began (timers fire synchronously; their messages still cross a real socket).
 */
export async function advanceUntil(
  clock: FakeClock,
  ms: number,
  csms: TestCsms,
  method: string,
  match: (c: ReceivedCall) => boolean = () => true,
): Promise<ReceivedCall> {
  const from = csms.calls.length;
  clock.advanceMs(ms);
  return csms.waitFor(method, match, from);
}

/** Resolves once the simulated station's observable state satisfies pred. */
export function waitForState(charger: SimCharger, pred: (s: SimChargerState) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred(charger.state())) return resolve();
    const off = charger.onChange((s) => {
      if (!pred(s)) return;
      off();
      resolve();
    });
  });
}
