/**
 * Plays a W1 stream against one set-up on a FakeClock: time moves in steps of `stepMs`; at each
 * step the clock is set (firing the set-up's timers), the set-up's own per-step work runs
 * (pings, heartbeats, batch flushes), then the step's events run: each EVSE's in order, the
 * EVSEs concurrently; then the set-up's after-step work (draining what is queued upstream). Every event awaits its answer over the real sockets before the next.
 */
import type { FakeClock } from '../src/util/fake-clock.js';
import type { W1Event, W1Stream } from './w1-workload.js';

export interface SiteDriver {
  /** Work of the set-up at the start of a step (the clock already shows `nowMs`). */
  step(nowMs: number): Promise<void>;
  event(e: W1Event): Promise<void>;
  /** Work after the step's events (e.g. wait until the hub's outbox has gone upstream). */
  afterStep?(nowMs: number): Promise<void>;
}

export async function playStream(
  stream: W1Stream,
  clock: FakeClock,
  driver: SiteDriver,
  stepMs: number,
  progress?: (line: string) => void,
): Promise<void> {
  const { events } = stream;
  const endMs = stream.startMs + stream.days * 86_400_000;
  let i = 0;
  let lastDay = -1;
  for (let t = stream.startMs; t < endMs; t += stepMs) {
    clock.setNowMs(t);
    await driver.step(t);
    const byEvse = new Map<number, W1Event[]>();
    while (i < events.length && (events[i]?.atMs ?? Infinity) < t + stepMs) {
      const e = events[i++];
      if (!e) break;
      const list = byEvse.get(e.evse) ?? [];
      list.push(e);
      byEvse.set(e.evse, list);
    }
    await Promise.all(
      [...byEvse.values()].map(async (list) => {
        for (const e of list) await driver.event(e);
      }),
    );
    if (driver.afterStep) await driver.afterStep(t);
    const day = Math.floor((t - stream.startMs) / 86_400_000);
    if (day !== lastDay) {
      lastDay = day;
      if (day > 0 && progress) progress(`  day ${day} of ${stream.days}`);
    }
  }
  clock.setNowMs(endMs);
}
