import type { Clock, TimerHandle } from '../util/clock.js';

export interface KeepaliveDeps {
  /** A ws WebSocket: its pongs, and a ping. */
  socket: { on(event: 'pong', listener: () => void): unknown; ping(): void };
  clock: Clock;
  intervalMs: number;
  onDead: () => void;
  /** Where in its first interval the first ping falls (0..1 → half of it to all of it); default Math.random. */
  random?: () => number;
}

/**
 * WebSocket ping/pong keep-alive: a ping every interval; a peer that has not answered the
 * previous ping by the next one is dead and its socket is terminated.
 *
 * The pings of many connections stay spread over the interval: the first comes after a random
 * half to whole interval (stations that connected together, in a reconnect storm, do not ping
 * together), and the next ones on that connection's own grid, not an interval after the ping
 * ran. A tick that runs late (a long turn of the event loop held every timer due meanwhile)
 * moves only that ping, so the connections it held do not stay together from then on: every
 * tick rescheduled from "now" would make them one batch of pings for the rest of their lives.
 * The next ping is never sooner than half an interval after this one, so its pong has time, and
 * never later than an interval after it, whatever the wall clock does.
 */
export class Keepalive {
  private timer: TimerHandle | undefined;
  private awaitingPong = false;
  /** When the current tick was due on the connection's grid (epoch ms). */
  private dueMs = 0;
  /** One callback for every ping of the connection's life (not a closure per interval). */
  private readonly onInterval = (): void => this.tick();

  constructor(private readonly deps: KeepaliveDeps) {
    deps.socket.on('pong', () => {
      this.awaitingPong = false;
    });
  }

  start(): void {
    const { intervalMs, clock } = this.deps;
    if (intervalMs <= 0) return;
    const firstMs = intervalMs * (0.5 + 0.5 * (this.deps.random ?? Math.random)());
    this.dueMs = clock.nowMs() + firstMs;
    this.timer = clock.setTimeout(this.onInterval, firstMs);
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleNext(): void {
    const { intervalMs, clock } = this.deps;
    const nowMs = clock.nowMs();
    // On the grid, but between half an interval and one interval from now: a tick that ran late
    // leaves its pong time, and a wall clock set back delays no ping by more than an interval.
    const delayMs = Math.min(intervalMs, Math.max(intervalMs / 2, this.dueMs + intervalMs - nowMs));
    this.dueMs = nowMs + delayMs;
    this.timer = clock.setTimeout(this.onInterval, delayMs);
  }

  private tick(): void {
    if (this.awaitingPong) {
      this.stop();
      this.deps.onDead();
      return;
    }
    this.awaitingPong = true;
    try {
      this.deps.socket.ping();
    } catch {
      // the close handler will clean up
    }
    this.scheduleNext();
  }
}
