import type { WebSocket } from 'ws';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { RpcErrorCode } from './errors.js';
import type { RpcPeerOptions, TrafficCounter } from './rpc-types.js';

/** What an RpcPeer (rpc-peer.ts) is built with, and what it tells its listeners. */
export interface RpcPeerDeps {
  /** A connected socket, server-side or client-side. */
  socket: WebSocket;
  options: RpcPeerOptions;
  clock: Clock;
  log: Logger;
  traffic?: TrafficCounter;
  /** The station identity, for logs. */
  identity?: string;
}

/** A frame that was refused or ignored. */
export interface BadFrameInfo {
  reason: string;
  /** Canonical error code (the wire spelling depends on the version). */
  code: RpcErrorCode;
  messageId: string;
  /** Whether a CALLERROR went back. */
  answered: boolean;
}

/** One finished exchange, for metrics. `errorCode` is set when it ended in an error. */
export interface CallInfo {
  action: string;
  messageId: string;
  errorCode?: string;
  durationMs: number;
}

export interface RpcPeerEvents {
  close: (code: number, reason: string) => void;
  badFrame: (info: BadFrameInfo) => void;
  /** An incoming CALL was answered. */
  callIn: (info: CallInfo) => void;
  /** An outgoing CALL settled (result, error, timeout or close). */
  callOut: (info: CallInfo) => void;
}
