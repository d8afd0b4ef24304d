import type { RawData } from 'ws';
import type { Logger } from '../util/logger.js';
import type { CallQueue } from './call-queue.js';
import { FormatViolationError, type RpcError } from './errors.js';
import { peekFrameHead, type BadFrame } from './frame.js';
import type { BadFrameInfo } from './rpc-peer-types.js';
import { toText } from './rpc-peer-wire.js';
import { MessageType, type TrafficCounter } from './rpc-types.js';

/** Traffic label of frames that carry no usable action. */
export const NO_ACTION = '(none)';

/** What RpcPeer (rpc-peer.ts) lends the handling of a frame it cannot use. */
export interface BadFrameContext {
  readonly calls: CallQueue;
  readonly traffic: TrafficCounter | undefined;
  /** The peer's logger (made on first use). */
  log(): Logger;
  sendError(messageId: string, error: RpcError, action: string): void;
  emitBadFrame(info: BadFrameInfo): void;
}

/**
 * A frame over the size limit: never parsed. Its head (the first bytes) says whether it was a
 * CALL (answered with a FormatViolation) or the answer to our CALL in flight (that call fails).
 */
export function onOversizeFrame(ctx: BadFrameContext, data: RawData, bytes: number, maxFrameBytes: number): void {
  const head = peekFrameHead(toText(data, 256));
  const error = new FormatViolationError(`Frame of ${bytes} bytes exceeds ${maxFrameBytes} bytes`);
  const messageId = head.messageId ?? '-1';
  const isAnswer = head.messageType === MessageType.CallResult || head.messageType === MessageType.CallError;
  const call = isAnswer ? ctx.calls.inFlightWithId(messageId) : undefined;
  ctx.traffic?.record('in', call?.action ?? NO_ACTION, bytes);
  if (call) ctx.calls.reject(call, error);
  const answered = head.messageType === undefined || head.messageType === MessageType.Call;
  reportBadFrame(ctx, { error, messageId, messageType: head.messageType, answer: answered });
}

/** A frame that did not parse as OCPP-J: the answer to our CALL in flight fails that call. */
export function onUnparsableFrame(ctx: BadFrameContext, bad: BadFrame, bytes: number): void {
  const call = bad.messageType === MessageType.CallResult ? ctx.calls.inFlightWithId(bad.messageId) : undefined;
  ctx.traffic?.record('in', call?.action ?? NO_ACTION, bytes);
  if (call) ctx.calls.reject(call, bad.error);
  reportBadFrame(ctx, bad);
}

function reportBadFrame(ctx: BadFrameContext, bad: BadFrame): void {
  ctx.log().warn(
    { messageId: bad.messageId, messageType: bad.messageType, code: bad.error.code, reason: bad.error.description },
    bad.answer ? 'bad frame answered with CALLERROR' : 'bad frame ignored',
  );
  if (bad.answer) ctx.sendError(bad.messageId, bad.error, NO_ACTION);
  ctx.emitBadFrame({ reason: bad.error.description, code: bad.error.code, messageId: bad.messageId, answered: bad.answer });
}
