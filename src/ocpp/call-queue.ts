import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../util/clock.js';
import { RpcClosedError, RpcTimeoutError } from './errors.js';

/** An outgoing CALL as the queue hands it to the sender. */
export interface QueuedCall {
  readonly messageId: string;
  readonly action: string;
  readonly payload: unknown;
  /** Set for relayed messages: neither the request nor its result is validated. */
  readonly skipValidation: boolean;
}

export interface CallQueueDeps {
  clock: Clock;
  /** Puts the CALL on the wire; false if it could not be sent. A later send failure is reported with `sendFailed`. */
  send(call: QueuedCall): boolean;
  /** Told once per call that was sent, when it ends; `error` is undefined on success. */
  onSettled?(call: QueuedCall, error: unknown, durationMs: number): void;
}

export interface EnqueueOptions {
  timeoutMs: number;
  skipValidation: boolean;
  signal: AbortSignal | undefined;
}

interface Entry extends QueuedCall {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  onAbort?: () => void;
  timer?: TimerHandle;
  startedMs?: number;
  settled: boolean;
}

/**
 * Outgoing CALLs of one connection: one in flight, the rest waiting in FIFO order. A call ends
 * with its answer, its timeout (on the injected clock), its abort signal, or the close of the
 * connection; then the next one goes out.
 */
export class CallQueue {
  private readonly waiting: Entry[] = [];
  private inFlight: Entry | undefined;
  private closed = false;

  constructor(private readonly deps: CallQueueDeps) {}

  /** Queues a call; resolves with its result or rejects with why it ended. */
  enqueue(action: string, payload: unknown, opts: EnqueueOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new RpcClosedError(action, true));
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    return new Promise((resolve, reject) => {
      const entry: Entry = {
        messageId: randomUUID(),
        action,
        payload,
        skipValidation: opts.skipValidation,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        resolve,
        reject,
        settled: false,
      };
      if (entry.signal) {
        const signal = entry.signal;
        entry.onAbort = () => this.settle(entry, { error: signal.reason });
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
      this.pump();
    });
  }

  /** The call in flight, if its id is `messageId`: an answer with another id answers nothing. */
  inFlightWithId(messageId: string): QueuedCall | undefined {
    return this.inFlight?.messageId === messageId ? this.inFlight : undefined;
  }

  resolve(call: QueuedCall, result: unknown): void {
    if (call === this.inFlight) this.settle(this.inFlight, { result });
  }

  reject(call: QueuedCall, error: unknown): void {
    if (call === this.inFlight) this.settle(this.inFlight, { error });
  }

  /** The socket reported that sending the call failed after send() had returned (nothing if it ended already). */
  sendFailed(call: QueuedCall, err: Error): void {
    this.settle(call as Entry, { error: err }); // only calls this queue handed to send(): Entries
  }

  /** Rejects everything in flight and waiting with RpcClosedError (`neverSent` for the waiting ones); later calls reject at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of [...this.waiting, ...(this.inFlight ? [this.inFlight] : [])]) {
      this.settle(entry, { error: new RpcClosedError(entry.action, entry !== this.inFlight) });
    }
  }

  private pump(): void {
    while (!this.closed && !this.inFlight && this.waiting.length > 0) {
      const entry = this.waiting.shift();
      if (!entry) return;
      this.inFlight = entry;
      entry.startedMs = this.deps.clock.nowMs();
      entry.timer = this.deps.clock.setTimeout(
        () => this.settle(entry, { error: new RpcTimeoutError(entry.action, entry.timeoutMs) }),
        entry.timeoutMs,
      );
      // pump runs from timers and socket callbacks: a send that throws (e.g. a payload that
      // cannot be serialised) fails that call, never the caller.
      let sent: boolean;
      try {
        sent = this.deps.send(entry);
      } catch (err) {
        this.settle(entry, { error: err });
        continue;
      }
      if (!sent) this.settle(entry, { error: new RpcClosedError(entry.action, true) });
    }
  }

  /** Ends a call exactly once, then lets the next one go. */
  private settle(entry: Entry, outcome: { result: unknown } | { error: unknown }): void {
    if (entry.settled) return;
    entry.settled = true;
    this.deps.clock.clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    const index = this.waiting.indexOf(entry);
    if (index >= 0) this.waiting.splice(index, 1);
    if (this.inFlight === entry) this.inFlight = undefined;
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.result);
    if (entry.startedMs !== undefined) {
      const error = 'error' in outcome ? outcome.error : undefined;
      this.deps.onSettled?.(entry, error, this.deps.clock.nowMs() - entry.startedMs);
    }
    this.pump();
  }
}
