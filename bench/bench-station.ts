/**
 * A minimal charger for load generation: a plain `ws` socket, hand-written OCPP-J frames, one
 * CALL in flight. Deliberately not the hub's own RPC code, so the benchmark measures the hub
 * and not a shared library on both ends.
 */
import { WebSocket } from 'ws';

export type BenchVersion = '1.6' | '2.0.1';

/** The answer to one CALL: a CALLRESULT payload, or why there was none. */
export type CallOutcome = { ok: true; payload: Record<string, unknown>; rttMs: number } | { ok: false; error: string; rttMs: number };

interface Pending {
  id: string;
  /** performance.now() just before the frame was handed to the socket, ms. */
  sentMs: number;
  resolve: (o: CallOutcome) => void;
  /** Only for `call`; `send`'s caller times out its calls itself (`expire`). */
  timer: NodeJS.Timeout | undefined;
}

export interface BenchStationDeps {
  /** ws://host:port/<prefix>; the station connects to <url>/<stationId>. */
  url: string;
  stationId: string;
  version: BenchVersion;
  callTimeoutMs: number;
}

export class BenchStation {
  private socket: WebSocket | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  /** CALLs the server sent us (answered with NotImplemented). */
  serverCalls = 0;

  constructor(readonly deps: BenchStationDeps) {}

  get stationId(): string {
    return this.deps.stationId;
  }

  get version(): BenchVersion {
    return this.deps.version;
  }

  /** Opens the WebSocket; rejects when the upgrade fails or takes longer than the call timeout. */
  connect(): Promise<void> {
    const socket = new WebSocket(`${this.deps.url}/${encodeURIComponent(this.deps.stationId)}`, [`ocpp${this.deps.version}`], {
      handshakeTimeout: this.deps.callTimeoutMs,
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('message', (data) => {
      if (this.socket === socket) this.onMessage(data.toString());
    });
    socket.on('close', () => {
      if (this.socket === socket) this.failPending('connection closed');
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve();
      });
      socket.once('error', (err) => reject(err));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends a CALL and waits for its answer; one at a time. */
  call(action: string, payload: unknown): Promise<CallOutcome> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, error: 'not connected', rttMs: 0 });
    if (this.pending) return Promise.resolve({ ok: false, error: 'a call is already in flight', rttMs: 0 });
    const id = String(this.nextId++);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle({ ok: false, error: `no answer to ${action} within ${this.deps.callTimeoutMs} ms`, rttMs: this.deps.callTimeoutMs }), this.deps.callTimeoutMs);
      this.pending = { id, sentMs: performance.now(), resolve, timer };
      socket.send(JSON.stringify([2, id, action, payload]));
    });
  }

  /** The id the next CALL will carry (`send` takes a frame built with it). */
  nextCallId(): string {
    return String(this.nextId);
  }

  /**
   * Sends a CALL already written as wire text, carrying `nextCallId()`; `done` gets its outcome,
   * once (no promise, no timer: the caller times it out with `expire`). False, and `done` never
   * called, when it was not sent (not connected, or a call in flight).
   */
  send(frame: string, done: (o: CallOutcome) => void): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.pending) return false;
    this.pending = { id: String(this.nextId++), sentMs: performance.now(), resolve: done, timer: undefined };
    socket.send(frame);
    return true;
  }

  /** Settles the call in flight as unanswered when it was sent more than `timeoutMs` before `nowMs` (performance.now()). */
  expire(nowMs: number, timeoutMs: number): void {
    if (this.pending && nowMs - this.pending.sentMs > timeoutMs) this.settle({ ok: false, error: `no answer within ${timeoutMs} ms`, rttMs: timeoutMs });
  }

  /** Drops the connection without a closing handshake, as a network failure would. */
  drop(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  private onMessage(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(frame)) return;
    const [type, id] = frame as [unknown, unknown];
    if (type === 2 && typeof id === 'string') {
      this.serverCalls++;
      this.socket?.send(JSON.stringify([4, id, 'NotImplemented', 'benchmark station', {}]));
      return;
    }
    if (!this.pending || id !== this.pending.id) return;
    const rttMs = performance.now() - this.pending.sentMs;
    if (type === 3) {
      const payload = frame[2];
      this.settle({ ok: true, payload: typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}, rttMs });
    } else if (type === 4) {
      this.settle({ ok: false, error: `CALLERROR ${String(frame[2])}: ${String(frame[3])}`, rttMs });
    }
  }

  private failPending(reason: string): void {
    if (this.pending) this.settle({ ok: false, error: reason, rttMs: 0 });
  }

  private settle(outcome: CallOutcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.resolve(outcome);
  }
}
