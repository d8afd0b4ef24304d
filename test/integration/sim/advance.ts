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

/**
 * Moves the fake clock on in steps until the simulated station's state satisfies pred: for a
 * loop in which each step depends on messages crossing real sockets (a report, then a decision,
 * then a write). After each step it waits for the state to change, or for the event loop to have
 * had a moment to pass messages on, before the next step. Fails once `maxSimMs` of simulated time
 * has passed without pred holding (a bound in simulated time, not in real time).
 */
export async function advanceUntilState(
  clock: FakeClock,
  charger: SimCharger,
  pred: (s: SimChargerState) => boolean,
  opts: { stepMs?: number; maxSimMs?: number } = {},
): Promise<void> {
  const stepMs = opts.stepMs ?? 1000;
  const maxSimMs = opts.maxSimMs ?? 300_000;
  const state = waitForState(charger, pred);
  let done = false;
  void state.then(() => (done = true));
  for (let simMs = 0; !done; simMs += stepMs) {
    if (simMs > maxSimMs) throw new Error(`station ${charger.identity} did not reach the expected state within ${maxSimMs / 1000} simulated seconds: ${JSON.stringify(charger.state().evses[0])}`);
    clock.advanceMs(stepMs);
    await Promise.race([state, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
}
