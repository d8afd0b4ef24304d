import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Keepalive } from '../../../src/evse/keepalive.js';
import type { Clock, TimerHandle } from '../../../src/util/clock.js';

const INTERVAL_MS = 30_000;

/**
 * A clock whose timers run only when told, at a time that may be later than they were due: what
 * a long turn of the event loop does to every timer due during it (they all run when it ends,
 * with the clock already past their due time).
 */
class LateClock implements Clock {
  private now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { dueMs: number; fn: () => void }>();

  nowMs(): number {
    return this.now;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { dueMs: this.now + delayMs, fn });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.timers.delete(handle as unknown as number);
  }

  /** Moves the clock to `atMs` and runs every timer due by then, in due order, all at `atMs`. */
  runAt(atMs: number): void {
    this.now = Math.max(this.now, atMs);
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.dueMs <= this.now).sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
      if (!due) return;
      this.timers.delete(due[0]);
      due[1].fn();
    }
  }

  /** Sets the wall clock back (timers keep their delays, as Node's do). */
  setBackMs(ms: number): void {
    this.now -= ms;
    for (const t of this.timers.values()) t.dueMs -= ms;
  }

  /** Runs each timer at its own due time, up to `untilMs`. */
  runOnTimeUntil(untilMs: number): void {
    for (;;) {
      const next = Math.min(...[...this.timers.values()].map((t) => t.dueMs));
      if (!(next <= untilMs)) break;
      this.runAt(next);
    }
    this.now = Math.max(this.now, untilMs);
  }
}

/** A socket that answers every ping with a pong at once, and records when it was pinged. */
class PongingSocket extends EventEmitter {
  readonly pingsAtMs: number[] = [];
  constructor(private readonly clock: Clock) {
    super();
  }
  ping(): void {
    this.pingsAtMs.push(this.clock.nowMs());
    this.emit('pong');
  }
}

function connection(clock: LateClock, random: number, onDead: () => void = () => undefined): PongingSocket {
  const socket = new PongingSocket(clock);
  new Keepalive({ socket, clock, intervalMs: INTERVAL_MS, onDead, random: () => random }).start();
  return socket;
}

describe('Keepalive', () => {
  it('pings first after half to all of an interval, then every interval', () => {
    const clock = new LateClock();
    const early = connection(clock, 0);
    const late = connection(clock, 0.999);
    clock.runOnTimeUntil(100_000);
    expect(early.pingsAtMs).toEqual([15_000, 45_000, 75_000]);
    expect(late.pingsAtMs.map(Math.round)).toEqual([29_985, 59_985, 89_985]);
  });

  it('puts pings a long turn held together back where they were due, instead of keeping them together', () => {
    const clock = new LateClock();
    const sockets = [0, 0.1, 0.2, 0.3].map((r) => connection(clock, r)); // first pings due at 15, 16.5, 18, 19.5 s
    clock.runAt(20_000); // the loop was busy from before 15 s until 20 s: all four run at once
    expect(sockets.map((s) => s.pingsAtMs)).toEqual([[20_000], [20_000], [20_000], [20_000]]);
    clock.runOnTimeUntil(80_000);
    expect(sockets.map((s) => s.pingsAtMs.slice(1))).toEqual([
      [45_000, 75_000],
      [46_500, 76_500],
      [48_000, 78_000],
      [49_500, 79_500],
    ]);
  });

  it('never pings sooner than half an interval after the previous ping, and drops a peer that stopped answering', () => {
    const clock = new LateClock();
    const socket = connection(clock, 0); // due at 15 s
    clock.runAt(44_000); // 29 s late: the next one on the grid (45 s) would follow 1 s after it
    clock.runOnTimeUntil(60_000);
    expect(socket.pingsAtMs).toEqual([44_000, 59_000]);

    let dead = 0;
    const silent = new EventEmitter() as EventEmitter & { ping: () => void };
    silent.ping = () => undefined;
    new Keepalive({ socket: silent, clock, intervalMs: INTERVAL_MS, onDead: () => dead++, random: () => 0 }).start();
    clock.runOnTimeUntil(60_000 + 15_000);
    expect(dead).toBe(0);
    clock.runOnTimeUntil(60_000 + 45_000);
    expect(dead).toBe(1);
  });

  it('pings an interval after the last ping when the wall clock was set back between them', () => {
    const clock = new LateClock();
    const socket = connection(clock, 0); // 15 s
    clock.runOnTimeUntil(16_000);
    clock.setBackMs(3_600_000); // an hour back: the grid's next (45 s) is now an hour and a half away
    clock.runOnTimeUntil(clock.nowMs() + 61_000);
    // The ping already scheduled keeps its delay; the one after it comes an interval later, not an hour.
    expect(socket.pingsAtMs).toEqual([15_000, 45_000 - 3_600_000, 75_000 - 3_600_000]);
  });

  it('property: whatever the late turns, a connection pings at most once per half interval, never before it is due, and back on its grid after each late turn', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 40_000 })), { maxLength: 6 }),
        (randoms, stalls) => {
          const clock = new LateClock();
          const sockets = randoms.map((r) => connection(clock, r));
          // Each stall: the loop is busy from `at` for `forMs`; the timers due meanwhile run at its end.
          for (const [at, forMs] of [...stalls].sort((a, b) => a[0] - b[0])) {
            if (at < clock.nowMs()) continue;
            clock.runOnTimeUntil(at);
            clock.runAt(at + forMs);
          }
          const endMs = clock.nowMs() + 3 * INTERVAL_MS;
          clock.runOnTimeUntil(endMs);
          randoms.forEach((r, i) => {
            const pings = sockets[i]?.pingsAtMs ?? [];
            const firstDueMs = INTERVAL_MS * (0.5 + 0.5 * r);
            expect(pings[0]).toBeGreaterThanOrEqual(firstDueMs);
            for (let k = 1; k < pings.length; k++) expect((pings[k] ?? 0) - (pings[k - 1] ?? 0)).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
            // The last interval had no stall: the last two pings are one interval apart, and the
            // last one is on the grid unless a stall pushed it off by over half an interval.
            const last = pings.at(-1) ?? 0;
            expect(last - (pings.at(-2) ?? 0)).toBeCloseTo(INTERVAL_MS, 6);
            const offGrid = (((last - firstDueMs) % INTERVAL_MS) + INTERVAL_MS) % INTERVAL_MS;
            const pushedOff = stalls.some(([, forMs]) => forMs > INTERVAL_MS / 2);
            if (!pushedOff) expect(Math.min(offGrid, INTERVAL_MS - offGrid)).toBeCloseTo(0, 6);
          });
        },
      ),
    );
  });
});
