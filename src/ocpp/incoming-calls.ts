import type { WebSocket } from 'ws';
import { NotImplementedError } from './errors.js';
import type { CallContext, CallHandler, SharedCallHandler } from './rpc-types.js';
import { hasAction, validatePayload } from './schema-validator.js';
import type { OcppVersion } from './versions.js';
import { AnsweringIds } from './answering-ids.js';

export interface IncomingCallsDeps {
  version: OcppVersion;
  /** Refuse actions missing from the version's schemas and requests that fail them. */
  strict: boolean;
  /** CALLs answered at once at most (RpcPeerOptions.maxCallsInFlight); unlimited when absent. */
  maxInFlight: number | undefined;
  /** Paused at the limit (backpressure), resumed below it. */
  socket: Pick<WebSocket, 'pause' | 'resume' | 'isPaused'>;
}

/**
 * Incoming CALLs (and 2.1 SENDs) of one connection, the other side of CallQueue: who answers an
 * action, and which calls are being answered. An action goes to its own handler, else to a table
 * shared with other peers (called with its owner), else to the fallback. In strict mode an action
 * missing from the version's schemas is NotImplemented whoever would handle it, and a request that
 * fails its schema is refused before any handler sees it.
 */
export class IncomingCalls {
  private readonly own = new Map<string, CallHandler>();
  private fallback: CallHandler | undefined;
  private shared: { table: ReadonlyMap<string, SharedCallHandler<never>>; owner: unknown } | undefined;
  /** Message ids of the CALLs being answered (AnsweringIds: the usual single one allocates nothing). */
  private readonly answering = new AnsweringIds();

  constructor(private readonly deps: IncomingCallsDeps) {}

  set(action: string, handler: CallHandler): void {
    this.own.set(action, handler);
  }

  /** The table is not copied. */
  setShared<O>(table: ReadonlyMap<string, SharedCallHandler<O>>, owner: O): void {
    this.shared = { table: table as ReadonlyMap<string, SharedCallHandler<never>>, owner };
  }

  setFallback(handler: CallHandler): void {
    this.fallback = handler;
  }

  /**
   * Counts a CALL as being answered, or says why it cannot be: 'duplicate' (a call with its id is
   * being answered), 'full' (maxInFlight are). The socket is paused when the limit is reached.
   */
  take(messageId: string): 'duplicate' | 'full' | undefined {
    if (this.answering.has(messageId)) return 'duplicate';
    const limit = this.deps.maxInFlight;
    if (limit !== undefined && this.answering.size >= limit) return 'full';
    this.answering.add(messageId);
    if (limit !== undefined && this.answering.size >= limit) this.deps.socket.pause();
    return undefined;
  }

  /** The one answer of a CALL has gone (or could not): it no longer counts; the socket is read again below the limit unless `closed`. */
  done(messageId: string, closed: boolean): void {
    this.answering.delete(messageId);
    const limit = this.deps.maxInFlight;
    if (limit !== undefined && this.answering.size < limit && this.deps.socket.isPaused && !closed) this.deps.socket.resume();
  }

  /** Runs the action's handler: its result, or a promise of it; throws what the handler throws (and NotImplemented, invalid requests). */
  run(call: CallContext): unknown {
    const { action } = call;
    const { version, strict } = this.deps;
    const own = this.own.get(action);
    const shared = own === undefined ? this.shared?.table.get(action) : undefined;
    const handler = own ?? this.fallback;
    if ((!handler && !shared) || (strict && !hasAction(version, action))) {
      throw new NotImplementedError(`Action '${action}' is not implemented`);
    }
    if (strict) {
      const invalid = validatePayload(version, action, 'req', call.payload);
      if (invalid) throw invalid;
    }
    if (shared) return shared(call, this.shared?.owner as never);
    return handler?.(call);
  }
}
