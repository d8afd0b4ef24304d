import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { CallQueue, type QueuedCall } from './call-queue.js';
import {
  createRpcError,
  GenericError,
  InternalError,
  RpcClosedError,
  RpcError,
  RpcFrameworkError,
  wireDescription,
  wireErrorCode,
  type RpcErrorCode,
} from './errors.js';
import {
  encodeCall,
  encodeCallError,
  encodeCallResult,
  encodeSend,
  DEFAULT_MAX_FRAME_DEPTH,
  parseFrame,
  type Frame,
  type FrameLimits,
} from './frame.js';
import { IncomingCalls } from './incoming-calls.js';
import { type CallHandler, type CallOptions, type RpcPeerOptions, type SharedCallHandler, type TrafficCounter } from './rpc-types.js';
import { validatePayload } from './schema-validator.js';
import type { OcppVersion } from './versions.js';
import type { RpcPeerDeps, RpcPeerEvents } from './rpc-peer-types.js';
import { byteLength, errorName, isThenable, toText } from './rpc-peer-wire.js';
import { NO_ACTION, onOversizeFrame, onUnparsableFrame, type BadFrameContext } from './rpc-peer-bad-frames.js';

export type { BadFrameInfo, CallInfo, RpcPeerDeps, RpcPeerEvents } from './rpc-peer-types.js';

/**
 * One OCPP-J connection: answers incoming CALLs through registered handlers and makes outgoing
 * CALLs, one in flight at a time (further calls wait in FIFO order). Knows framing and the
 * schemas, nothing about what messages mean. A bad frame is answered or logged, never fatal.
 * Incoming CALLs are handled as they come (the other side sends one at a time) and each gets
 * exactly one answer. Reconnecting is the owner's job: a closed peer stays closed.
 */
export class RpcPeer {
  private readonly socket: WebSocket;
  private readonly options: RpcPeerOptions;
  private readonly clock: Clock;
  private readonly baseLog: Logger;
  private childLog: Logger | undefined;
  private readonly traffic: TrafficCounter | undefined;
  private readonly peerIdentity: string;
  private readonly incoming: IncomingCalls;
  private readonly calls: CallQueue;
  private readonly lifetime = new AbortController();
  private readonly events = new EventEmitter();
  private readonly frameLimits: FrameLimits;
  private closed = false;
  /** What the handling of unusable frames (rpc-peer-bad-frames.ts) may use of this peer: made at the first one. */
  private badFrameContext: BadFrameContext | undefined;

  constructor(deps: RpcPeerDeps) {
    this.socket = deps.socket;
    this.options = deps.options;
    this.clock = deps.clock;
    this.traffic = deps.traffic;
    this.peerIdentity = deps.identity ?? '';
    this.baseLog = deps.log;
    this.frameLimits = { maxDepth: this.options.maxFrameDepth ?? DEFAULT_MAX_FRAME_DEPTH };
    this.incoming = new IncomingCalls({ version: this.options.version, strict: this.options.strict, maxInFlight: this.options.maxCallsInFlight, socket: this.socket });
    this.calls = new CallQueue({
      clock: this.clock,
      send: (call) => this.sendText(encodeCall(call.messageId, call.action, call.payload), call.action, call),
      onSettled: (call, error, durationMs) =>
        this.emit('callOut', {
          action: call.action,
          messageId: call.messageId,
          errorCode: error === undefined ? undefined : errorName(error),
          durationMs,
        }),
    });
    this.socket.on('message', (data) => this.onMessage(data));
    this.socket.on('close', (code, reason) => this.onSocketClose(code, reason.toString()));
    this.socket.on('error', (err) => this.log.warn({ err: err.message }, 'socket error'));
    if (this.socket.readyState === WebSocket.CLOSED) this.shutdown();
  }

  private get badFrames(): BadFrameContext {
    this.badFrameContext ??= {
      calls: this.calls,
      traffic: this.traffic,
      log: () => this.log,
      sendError: (messageId, error, action) => void this.sendError(messageId, error, action),
      emitBadFrame: (info) => this.emit('badFrame', info),
    };
    return this.badFrameContext;
  }

  /** The peer's logger, made on first use (most connections never log). */
  private get log(): Logger {
    this.childLog ??= this.baseLog.child({ station: this.peerIdentity, ocpp: this.options.version });
    return this.childLog;
  }

  get version(): OcppVersion {
    return this.options.version;
  }

  get identity(): string {
    return this.peerIdentity;
  }

  /** True once the connection closed or close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Registers the handler of incoming CALLs (and 2.1 SENDs) for one action. */
  handle(action: string, handler: CallHandler): void {
    this.incoming.set(action, handler);
  }

  /**
   * Handlers shared with other peers, called with `owner`: consulted for an action without its
   * own handler (handle()), before the fallback (handleAny()). The table is not copied.
   */
  handleShared<O>(table: ReadonlyMap<string, SharedCallHandler<O>>, owner: O): void {
    this.incoming.setShared(table, owner);
  }

  /**
   * Fallback for actions without their own handler (e.g. relaying in proxy mode). In strict
   * mode an action missing from the version's schemas is still answered NotImplemented.
   */
  handleAny(handler: CallHandler): void {
    this.incoming.setFallback(handler);
  }

  on<E extends keyof RpcPeerEvents>(event: E, listener: RpcPeerEvents[E]): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof RpcPeerEvents>(event: E, listener: RpcPeerEvents[E]): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Sends a CALL and resolves with the peer's result. Rejects with the peer's RpcError, with a
   * validation RpcError (before sending, or for an invalid result) when strict, with
   * RpcTimeoutError, or with RpcClosedError.
   */
  call(action: string, payload: unknown, opts: CallOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new RpcClosedError(action, true));
    const skipValidation = opts.skipValidation ?? false;
    if (this.options.strict && !skipValidation) {
      let invalid: RpcError | undefined;
      try {
        invalid = validatePayload(this.version, action, 'req', payload);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      if (invalid) return Promise.reject(invalid);
    }
    return this.calls.enqueue(action, payload, {
      timeoutMs: opts.timeoutMs ?? this.options.callTimeoutMs,
      skipValidation,
      signal: opts.signal,
    });
  }

  /** 2.1 only: sends a SEND message, which is never answered. */
  send(action: string, payload: unknown, opts: Pick<CallOptions, 'skipValidation'> = {}): void {
    if (this.version !== '2.1') throw new Error(`SEND does not exist in OCPP ${this.version}`);
    if (this.closed) throw new RpcClosedError(action);
    if (this.options.strict && !opts.skipValidation) {
      const invalid = validatePayload(this.version, action, 'req', payload);
      if (invalid) throw invalid;
    }
    this.sendText(encodeSend(randomUUID(), action, payload), action);
  }

  /** Closes the connection; pending and queued calls reject at once with RpcClosedError. */
  close(code = 1000, reason = ''): void {
    this.shutdown();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  // ---- incoming -------------------------------------------------------------------------

  private onMessage(data: RawData): void {
    try {
      const bytes = byteLength(data);
      if (bytes > this.options.maxFrameBytes) {
        onOversizeFrame(this.badFrames, data, bytes, this.options.maxFrameBytes);
        return;
      }
      const text = toText(data);
      if (text.length === 0) {
        // Some stations send empty frames as keep-alives (ocpp-rpc ignores them too).
        this.log.debug('empty frame ignored');
        return;
      }
      const parsed = parseFrame(text, this.version, this.frameLimits);
      if (parsed.ok) this.onFrame(parsed.frame, bytes);
      else onUnparsableFrame(this.badFrames, parsed.bad, bytes);
    } catch (err) {
      this.log.error({ err }, 'unexpected failure handling a frame');
    }
  }

  private onFrame(frame: Frame, bytes: number): void {
    switch (frame.type) {
      case 'call':
        this.traffic?.record('in', frame.action, bytes);
        this.onCall(frame.messageId, frame.action, frame.payload);
        return;
      case 'send':
        this.traffic?.record('in', frame.action, bytes);
        void this.onSend(frame.messageId, frame.action, frame.payload);
        return;
      case 'callResult':
      case 'callError': {
        const call = this.calls.inFlightWithId(frame.messageId);
        this.traffic?.record('in', call?.action ?? NO_ACTION, bytes);
        if (!call) {
          this.log.warn({ messageId: frame.messageId, type: frame.type }, 'answer for an unknown message id ignored');
          return;
        }
        if (frame.type === 'callError') {
          this.calls.reject(call, createRpcError(frame.errorCode, frame.description, frame.details));
        } else {
          this.onCallResult(call, frame.payload);
        }
        return;
      }
      case 'callResultError':
        this.traffic?.record('in', NO_ACTION, bytes);
        this.log.warn(
          { messageId: frame.messageId, code: frame.errorCode, description: frame.description },
          'peer could not process our CALLRESULT',
        );
        return;
    }
  }

  private onCallResult(call: QueuedCall, payload: unknown): void {
    if (this.options.strict && !call.skipValidation) {
      const invalid = validatePayload(this.version, call.action, 'conf', payload);
      if (invalid) {
        this.log.warn({ messageId: call.messageId, action: call.action, err: invalid.description }, 'invalid CALLRESULT');
        if (this.version === '2.1') this.sendError(call.messageId, invalid, call.action, true);
        this.calls.reject(call, invalid);
        return;
      }
    }
    this.calls.resolve(call, payload);
  }

  private onCall(messageId: string, action: string, payload: unknown): void {
    const refused = this.incoming.take(messageId);
    if (refused === 'duplicate') {
      this.sendError(messageId, new RpcFrameworkError(`Already processing a call with id ${messageId}`), action);
      return;
    }
    if (refused === 'full') {
      const code = this.sendError(messageId, new GenericError(`Too many CALLs in flight (at most ${this.options.maxCallsInFlight}): wait for the answers before sending more`), action);
      this.emit('callIn', { action, messageId, errorCode: code, durationMs: 0 });
      return;
    }
    const startedMs = this.clock.nowMs();
    // A handler that answers at once is answered at once; one that returns a promise is
    // answered when it settles (no async layers of the peer's own around it).
    let result: unknown;
    try {
      result = this.incoming.run({ action, payload, messageId, signal: this.lifetime.signal });
    } catch (err) {
      this.answered(messageId, action, startedMs, this.answerError(messageId, action, err));
      return;
    }
    if (!isThenable(result)) {
      this.answered(messageId, action, startedMs, this.answerResult(messageId, action, result));
      return;
    }
    result.then(
      (value) => this.answered(messageId, action, startedMs, this.answerResult(messageId, action, value)),
      (err: unknown) => this.answered(messageId, action, startedMs, this.answerError(messageId, action, err)),
    );
  }

  /** The one answer of an incoming CALL has gone (or could not): the call no longer counts as in flight. */
  private answered(messageId: string, action: string, startedMs: number, errorCode: string | undefined): void {
    this.incoming.done(messageId, this.closed);
    if (this.events.listenerCount('callIn') > 0) this.emit('callIn', { action, messageId, errorCode, durationMs: this.clock.nowMs() - startedMs });
  }

  /** Sends a handler's result (validated when strict); resolves to the error code sent instead, if any. */
  private answerResult(messageId: string, action: string, value: unknown): string | undefined {
    try {
      const result = value ?? {};
      if (this.options.strict) {
        const invalid = validatePayload(this.version, action, 'conf', result);
        if (invalid) {
          this.log.error({ messageId, action, err: invalid.description }, 'handler returned an invalid response');
          throw new InternalError('The response could not be produced');
        }
      }
      this.sendText(encodeCallResult(messageId, result), action);
      return undefined;
    } catch (err) {
      return this.answerError(messageId, action, err);
    }
  }

  /** Sends the CALLERROR for what a handler threw; returns the code sent. */
  private answerError(messageId: string, action: string, err: unknown): string {
    return this.sendError(messageId, this.asRpcError(err, messageId, action), action);
  }

  private async onSend(messageId: string, action: string, payload: unknown): Promise<void> {
    try {
      await this.incoming.run({ action, payload, messageId, signal: this.lifetime.signal });
    } catch (err) {
      this.log.warn({ messageId, action, err: err instanceof Error ? err.message : String(err) }, 'SEND not processed');
    }
  }

  private asRpcError(err: unknown, messageId: string, action: string): RpcError {
    if (err instanceof RpcError) return err;
    this.log.error({ err, messageId, action }, 'handler failed');
    return new InternalError();
  }

  // ---- plumbing -------------------------------------------------------------------------

  /** Sends a CALLERROR (or 2.1 CALLRESULTERROR) in the version's spelling; returns the code sent. */
  private sendError(messageId: string, error: RpcError, action: string, resultError = false): RpcErrorCode {
    const code = wireErrorCode(this.version, error.code);
    this.sendText(encodeCallError(messageId, code, wireDescription(error.description), error.details, resultError), action);
    return code;
  }

  /** Sends a frame; `call`: the outgoing CALL it carries, failed if the socket reports an error later. */
  private sendText(text: string, action: string, call?: QueuedCall): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) {
      this.log.debug({ action }, 'socket not open: frame dropped');
      return false;
    }
    this.traffic?.record('out', action, Buffer.byteLength(text));
    this.socket.send(text, (err) => {
      if (!err) return;
      this.log.warn({ action, err: err.message }, 'send failed');
      if (call) this.calls.sendFailed(call, err);
    });
    return true;
  }

  private onSocketClose(code: number, reason: string): void {
    this.shutdown();
    this.log.info({ code, reason }, 'connection closed');
    this.emit('close', code, reason);
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.lifetime.abort(new Error('connection closed'));
    this.calls.close();
  }

  private emit<E extends keyof RpcPeerEvents>(event: E, ...args: Parameters<RpcPeerEvents[E]>): void {
    try {
      this.events.emit(event, ...args);
    } catch (err) {
      this.log.error({ err, event }, 'event listener failed');
    }
  }
}
