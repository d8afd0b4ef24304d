import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

export interface ConnectionLimits {
  /** TCP connections open at once on the OCPP port, upgraded or not. */
  maxConnections: number;
  /** Connections not yet upgraded to a WebSocket (idle, in TLS or HTTP handshake), in total. */
  maxPending: number;
  /** Connections not yet upgraded, per source address. */
  maxPendingPerAddress: number;
  /** A connection that is not upgraded within this time is closed, ms. */
  handshakeTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
  maxPending: 200,
  maxPendingPerAddress: 10,
  handshakeTimeoutMs: 10_000,
};

interface Tracked {
  socket: Socket;
  address: string;
  pending: boolean;
  timer: TimerHandle | undefined;
}

/** Refusals are counted and logged at most this often. */
const LOG_EVERY_MS = 10_000;

/**
 * Caps the raw TCP connections of a server before any byte is read from them: in total, not yet
 * upgraded in total and per address, and closes a connection that has not completed its
 * WebSocket upgrade within the handshake timeout. Excess connections are closed at once, so an
 * anonymous client cannot exhaust file descriptors or memory.
 */
export class ConnectionLimiter {
  /** Keyed by remote address and port: the raw socket and the TLS socket above it share them. */
  private readonly open = new Map<string, Tracked>();
  private readonly pendingByAddress = new Map<string, number>();
  private pending = 0;
  private refused = 0;
  private lastLogMs = -Infinity;
  private readonly limits: ConnectionLimits;

  constructor(private readonly deps: { clock: Clock; log: Logger; limits: Partial<ConnectionLimits> }) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...deps.limits };
  }

  get counts(): { total: number; pending: number } {
    return { total: this.open.size, pending: this.pending };
  }

  /** A new TCP connection: tracked, or closed when over a cap. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const key = keyOf(socket);
    const why =
      this.open.size >= this.limits.maxConnections
        ? 'maxConnections'
        : this.pending >= this.limits.maxPending
          ? 'maxPending'
          : (this.pendingByAddress.get(address) ?? 0) >= this.limits.maxPendingPerAddress
            ? 'maxPendingPerAddress'
            : undefined;
    if (why || this.open.has(key)) {
      this.refuse(address, why ?? 'duplicate');
      socket.destroy();
      return;
    }
    const t: Tracked = { socket, address, pending: true, timer: undefined };
    t.timer = this.deps.clock.setTimeout(() => {
      t.timer = undefined;
      if (!t.pending) return;
      this.deps.log.debug({ remote: address }, 'connection closed: no WebSocket upgrade within the handshake timeout');
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    this.open.set(key, t);
    this.addPending(address, 1);
    socket.once('close', () => this.forget(key, t));
  }

  /** The connection became a WebSocket: it no longer counts as pending. */
  upgraded(socket: Socket): void {
    const t = this.open.get(keyOf(socket));
    if (!t?.pending) return;
    t.pending = false;
    this.deps.clock.clearTimeout(t.timer);
    t.timer = undefined;
    this.addPending(t.address, -1);
  }

  /** Clears the timers (the server is closing). */
  stop(): void {
    for (const t of this.open.values()) this.deps.clock.clearTimeout(t.timer);
  }

  private forget(key: string, t: Tracked): void {
    if (this.open.get(key) !== t) return;
    this.open.delete(key);
    this.deps.clock.clearTimeout(t.timer);
    if (t.pending) this.addPending(t.address, -1);
  }

  private addPending(address: string, delta: number): void {
    this.pending += delta;
    const n = (this.pendingByAddress.get(address) ?? 0) + delta;
    if (n <= 0) this.pendingByAddress.delete(address);
    else this.pendingByAddress.set(address, n);
  }

  private refuse(address: string, limit: string): void {
    this.refused += 1;
    const now = this.deps.clock.nowMs();
    if (now - this.lastLogMs < LOG_EVERY_MS) return;
    this.lastLogMs = now;
    this.deps.log.warn({ remote: address, limit, refusedSinceLastLog: this.refused, ...this.counts }, 'connection refused: limit reached');
    this.refused = 0;
  }
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}
