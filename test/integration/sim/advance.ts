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
