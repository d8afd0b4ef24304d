import { Dispatcher, type DispatcherDeps } from '../../../src/control/dispatcher.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

/** One SetChargingProfile (or other) call the dispatcher sent, and when. */
export interface SentCall {
  stationId: string;
  action: string;
  payload: Record<string, unknown>;
  atMs: number;
}

/** How the fake charger answers a call; 'hold' keeps it unanswered until releaseHeld(). */
export type Answer = 'Accepted' | 'Rejected' | 'NotSupported' | Error | 'hold';

/** A dispatcher on a FakeClock with a fake `send` that records calls and answers as told. */
export function aDispatcher(overrides: Partial<DispatcherDeps> = {}, versions: Record<string, OcppVersion | undefined> = { cs1: '1.6' }) {
  const clock = new FakeClock();
  const calls: SentCall[] = [];
  const held: (() => void)[] = [];
  let answer: (call: SentCall) => Answer = () => 'Accepted';
  const dispatcher = new Dispatcher({
    clock,
    log: silentLogger(),
    versionOf: (id) => versions[id],
    send: (stationId, action, payload) => {
      const call = { stationId, action, payload: payload as Record<string, unknown>, atMs: clock.nowMs() };
      calls.push(call);
      const a = answer(call);
      if (a === 'hold') return new Promise((resolve) => held.push(() => resolve({ status: 'Accepted' })));
      if (a instanceof Error) return Promise.reject(a);
      return Promise.resolve({ status: a });
    },
    ...overrides,
  });
  return {
    clock,
    calls,
    dispatcher,
    versions,
    answerWith(fn: (call: SentCall) => Answer) {
      answer = fn;
    },
    releaseHeld() {
      for (const r of held.splice(0)) r();
    },
  };
}

export type DispatcherHarness = ReturnType<typeof aDispatcher>;

/** Lets the fake answers' promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** The limit and stack level of a 1.6 SetChargingProfile call. */
export function limitOf(call: SentCall | undefined): { limit: number; stackLevel: number; validTo?: string } {
  const cp = call?.payload.csChargingProfiles as {
    stackLevel: number;
    validTo?: string;
    chargingSchedule: { chargingSchedulePeriod: { limit: number }[] };
  };
  return { limit: cp.chargingSchedule.chargingSchedulePeriod[0]?.limit ?? NaN, stackLevel: cp.stackLevel, validTo: cp.validTo };
}

export const dynamicCalls = (calls: SentCall[]): SentCall[] => calls.filter((c) => limitOf(c).stackLevel === 2);
export const baseCalls = (calls: SentCall[]): SentCall[] => calls.filter((c) => limitOf(c).stackLevel === 1);

/** EVSE cs1/1 gets its first targets (limitA, baseA) and both writes are answered. */
export async function connected(h: DispatcherHarness, limitA = 16, baseA = 6): Promise<void> {
  h.dispatcher.apply({ 'cs1/1': { limitA, baseA, numberPhases: 3 } });
  await settle();
  await settle();
}
