import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../util/clock.js';

/**
 * WebSocket ping/pong keep-alive: a ping every interval; a peer that has not answered the
 * previous ping by the next one is dead and its socket is terminated.
 */
export class Keepalive {
  private timer: TimerHandle | undefined;
  private awaitingPong = false;
  /** One callback for every ping of the connection's life (not a closure per interval). */
  private readonly onInterval = (): void => this.tick();

  constructor(
    private readonly deps: { socket: WebSocket; clock: Clock; intervalMs: number; onDead: () => void },
  ) {
    deps.socket.on('pong', () => {
      this.awaitingPong = false;
    });
  }

  start(): void {
    if (this.deps.intervalMs <= 0) return;
    this.schedule();
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(this.onInterval, this.deps.intervalMs);
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
    this.schedule();
  }
}
