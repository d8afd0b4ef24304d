import type { OcppVersion } from './versions.js';

/** OCPP-J message type ids. 2.1 adds CALLRESULTERROR (5) and SEND (6). */
export const MessageType = {
  Call: 2,
  CallResult: 3,
  CallError: 4,
  CallResultError: 5,
  Send: 6,
} as const;

/** Context handed to a handler of an incoming CALL. */
export interface CallContext {
  action: string;
  payload: unknown;
  messageId: string;
  /** Aborted when the connection closes before the handler answers. */
  signal: AbortSignal;
}

export type CallHandler = (ctx: CallContext) => Promise<unknown> | unknown;

/**
 * A handler shared by many peers (one table for every station of a version, instead of a set of
 * closures per connection): each call also gets the owner the peer was given (e.g. its session).
 */
export type SharedCallHandler<O> = (ctx: CallContext, owner: O) => Promise<unknown> | unknown;

export interface CallOptions {
  /** Overrides the peer's default call timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Skip outgoing schema validation (used when relaying a peer's message verbatim). */
  skipValidation?: boolean;
}

/** Options of an RPC peer, with defaults in rpc-defaults.ts. */
export interface RpcPeerOptions {
  version: OcppVersion;
  /** Timeout for an outgoing CALL awaiting its result (ms). */
  callTimeoutMs: number;
  /** Frames larger than this are refused with a CALLERROR (bytes). */
  maxFrameBytes: number;
  /** Frames nesting arrays/objects deeper than this are refused with a CALLERROR (default 32, frame.ts). */
  maxFrameDepth?: number;
  /** Validate incoming and outgoing payloads against the official OCA schemas. */
  strict: boolean;
  /**
   * Incoming CALLs handled at once (a peer that pipelines). At the limit the socket is no longer
   * read (backpressure); a CALL that still arrives beyond it is answered GenericError. Unlimited when absent.
   */
  maxCallsInFlight?: number;
}

/** Bytes and frames seen on one connection, per direction and action. */
export interface TrafficCounter {
  record(direction: 'in' | 'out', action: string, bytes: number): void;
}
