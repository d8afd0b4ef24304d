/**
 * A small OCPP-J client over `ws` for W1: one CALL in flight at a time (the caller awaits),
 * incoming CALLs answered by a synchronous handler, WebSocket pings awaited until their pong,
 * and permessage-deflate as configured. Message ids are UUIDs, as most implementations send.
 * A CALL left unanswered for `callTimeoutMs` (default 30 s) is rejected, so a hung hub fails the
 * run instead of holding it: one sweep timer per open client, no timer per call (the calls are
 * what the benchmarks time).
 */
import { randomUUID } from 'node:crypto';
import { WebSocket, type PerMessageDeflateOptions } from 'ws';

export type CallAnswerer = (action: string, payload: unknown) => object;

export interface WireClientOptions {
  url: string;
  identity: string;
  /** e.g. ocpp1.6, ocpp2.0.1 */
  protocol: string;
  perMessageDeflate: false | PerMessageDeflateOptions;
  answer: CallAnswerer;
  /** Rejects a CALL still unanswered after this long (default 30,000 ms). */
  callTimeoutMs?: number;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;

interface PendingCall {
  resolve: (p: unknown) => void;
  reject: (e: Error) => void;
  action: string;
  sentMs: number;
}

export class WireClient {
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, PendingCall>();
  private pongWaiters: (() => void)[] = [];
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly opts: WireClientOptions) {}

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  connect(): Promise<void> {
    const { opts } = this;
    const ws = new WebSocket(`${opts.url}/${encodeURIComponent(opts.identity)}`, [opts.protocol], { perMessageDeflate: opts.perMessageDeflate });
    this.ws = ws;
    ws.on('message', (data) => this.onText(String(data)));
    ws.on('pong', () => {
      const waiters = this.pongWaiters;
      this.pongWaiters = [];
      for (const w of waiters) w();
    });
    ws.on('close', () => {
      clearInterval(this.sweep);
      this.sweep = undefined;
      for (const p of this.pending.values()) p.reject(new Error(`${opts.identity}: connection closed`));
      this.pending.clear();
    });
    const timeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    clearInterval(this.sweep);
    this.sweep = setInterval(() => this.rejectOlderThan(timeoutMs), Math.max(1, Math.ceil(timeoutMs / 4)));
    this.sweep.unref();
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  }

  call(action: string, payload: unknown): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error(`${this.opts.identity}: not connected (${action})`));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, action, sentMs: performance.now() });
      ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  /** Sends a ping with an empty payload and resolves when the pong is back. */
  ping(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      this.pongWaiters.push(resolve);
      ws.ping();
    });
  }

  /** Closing handshake (code 1000); resolves when the socket is closed. */
  close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
    });
  }

  private rejectOlderThan(timeoutMs: number): void {
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (now - p.sentMs < timeoutMs) continue;
      this.pending.delete(id);
      p.reject(new Error(`${this.opts.identity}: no answer to ${p.action} within ${timeoutMs} ms`));
    }
  }

  private onText(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(msg)) return;
    const [type, id] = msg as [number, string];
    if (type === 2) {
      this.ws?.send(JSON.stringify([3, id, this.opts.answer(String(msg[2]), msg[3])]));
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (type === 3) p.resolve(msg[2]);
    else p.reject(new Error(`${this.opts.identity}: CALLERROR ${String(msg[2])} ${String(msg[3])}`));
  }
}
