import {
  FormatViolationError,
  MessageTypeNotSupportedError,
  RpcFrameworkError,
  type ErrorDetails,
  type RpcError,
  type RpcErrorCode,
} from './errors.js';
import { MessageType } from './rpc-types.js';
import type { OcppVersion } from './versions.js';

/** A well-formed OCPP-J message. */
export type Frame =
  | { type: 'call'; messageId: string; action: string; payload: Payload }
  | { type: 'callResult'; messageId: string; payload: Payload }
  | { type: 'callError'; messageId: string; errorCode: string; description: string; details: ErrorDetails }
  /** 2.1: the peer could not process our CALLRESULT. Never answered. */
  | { type: 'callResultError'; messageId: string; errorCode: string; description: string; details: ErrorDetails }
  /** 2.1: a one-way message. Never answered. */
  | { type: 'send'; messageId: string; action: string; payload: Payload };

/** OCPP payloads are JSON objects. */
export type Payload = Record<string, unknown>;

/** A frame that could not be taken as a message. */
export interface BadFrame {
  error: RpcError;
  /** The message id when it could be read, else "-1" (as ocpp-rpc answers). */
  messageId: string;
  /** The message type number when it could be read. */
  messageType: number | undefined;
  /**
   * Whether to answer with a CALLERROR. Only a CALL, or something that may have been meant as
   * one, is answered: a broken CALLRESULT/CALLERROR/SEND never is.
   */
  answer: boolean;
}

export type ParseResult = { ok: true; frame: Frame } | { ok: false; bad: BadFrame };

/** Longest message id OCPP-J allows (2.0.1 part 4 and 1.6-J: at most 36 characters, a UUID). */
export const MAX_MESSAGE_ID_CHARS = 36;

/**
 * Deepest nesting of arrays and objects accepted in a frame, the frame's own array included.
 * The official schemas nest at most 13 levels inside the payload (2.x ReportChargingProfiles);
 * the rest is room for vendor customData. Deeper frames are refused before they are parsed, so
 * no later recursion (serialising, validating, storing) can overflow the stack.
 */
export const DEFAULT_MAX_FRAME_DEPTH = 32;

export interface FrameLimits {
  maxDepth: number;
}

/**
 * Whether the JSON text nests arrays/objects deeper than `maxDepth`. A linear scan that never
 * recurses; brackets inside strings do not count. Malformed text is left to JSON.parse.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** The message type numbers each version knows. 2.1 adds CALLRESULTERROR (5) and SEND (6). */
export function knownMessageTypes(version: OcppVersion): readonly number[] {
  return version === '2.1' ? KNOWN_TYPES_21 : KNOWN_TYPES;
}

const KNOWN_TYPES: readonly number[] = [MessageType.Call, MessageType.CallResult, MessageType.CallError];
const KNOWN_TYPES_21: readonly number[] = [...KNOWN_TYPES, MessageType.CallResultError, MessageType.Send];

/**
 * Parses one text frame. Error codes are canonical here (FormatViolation, RpcFrameworkError,
 * MessageTypeNotSupported); the sender applies the version's spelling (wireErrorCode), so on
 * 1.6 every framing problem goes out as FormationViolation.
 *
 * - not JSON, not an array, no numeric message type, message id not a string, CALL arity or
 *   action type wrong: RpcFrameworkError ("not a valid RPC request, e.g. the MessageId could
 *   not be read"), with id "-1" when the id cannot be read.
 * - a CALL whose payload is not a JSON object: FormatViolation ("payload syntactically
 *   incorrect") with the CALL's id.
 * - an unknown message type number: 2.x answer MessageTypeNotSupported (2.0.1 part 4,
 *   extension fallback mechanism; ocpp-rpc does the same for 2.1). 1.6 defines no code for it
 *   and says a receiver shall ignore a message type number it does not know: not answered.
 * - nested deeper than `limits.maxDepth`: FormatViolation with the id when the frame's head can
 *   be read (a CALL is answered), else RpcFrameworkError with "-1". Checked before parsing.
 * - a message id longer than 36 characters: RpcFrameworkError with that id (a CALL is answered).
 */
export function parseFrame(text: string, version: OcppVersion, limits: FrameLimits = { maxDepth: DEFAULT_MAX_FRAME_DEPTH }): ParseResult {
  if (nestsDeeperThan(text, limits.maxDepth)) return tooDeep(text, limits.maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad(new RpcFrameworkError('Message is not valid JSON'), '-1', undefined, true);
  }
  if (!Array.isArray(value)) return bad(new RpcFrameworkError('Message is not a JSON array'), '-1', undefined, true);
  const messageType: unknown = value[0];
  const messageId: unknown = value[1];
  if (typeof messageType !== 'number') {
    return bad(new RpcFrameworkError('Message type is not a number'), '-1', undefined, true);
  }
  if (!knownMessageTypes(version).includes(messageType)) {
    const id = typeof messageId === 'string' ? messageId : '-1';
    return bad(new MessageTypeNotSupportedError(`Message type ${messageType} is not supported`), id, messageType, version !== '1.6');
  }
  const answerable = messageType === MessageType.Call;
  if (typeof messageId !== 'string') {
    return bad(new RpcFrameworkError('Message id is not a string'), '-1', messageType, answerable);
  }
  if (messageId.length > MAX_MESSAGE_ID_CHARS) {
    return bad(new RpcFrameworkError(`Message id is longer than ${MAX_MESSAGE_ID_CHARS} characters`), messageId, messageType, answerable);
  }
  return parseKnown(value, messageType, messageId);
}

/** The rest of a frame whose type is known and whose id is a valid string. */
function parseKnown(value: unknown[], messageType: number, messageId: string): ParseResult {
  switch (messageType) {
    case MessageType.Call:
    case MessageType.Send: {
      if (value.length !== 4) return failed(new RpcFrameworkError(`Expected 4 elements, got ${value.length}`), messageId, messageType);
      const action: unknown = value[2];
      const payload: unknown = value[3];
      if (typeof action !== 'string') return failed(new RpcFrameworkError('Action is not a string'), messageId, messageType);
      if (!isPayload(payload)) return failed(new FormatViolationError('Payload is not a JSON object'), messageId, messageType);
      const type = messageType === MessageType.Call ? 'call' : 'send';
      return { ok: true, frame: { type, messageId, action, payload } };
    }
    case MessageType.CallResult: {
      if (value.length !== 3) return failed(new RpcFrameworkError(`Expected 3 elements, got ${value.length}`), messageId, messageType);
      const payload: unknown = value[2];
      if (!isPayload(payload)) return failed(new FormatViolationError('Payload is not a JSON object'), messageId, messageType);
      return { ok: true, frame: { type: 'callResult', messageId, payload } };
    }
    default: {
      // CALLERROR / CALLRESULTERROR: [type, id, code, description, details]. Lenient about a
      // missing description or details, which some stations leave out.
      const [, , errorCode, description, details] = value;
      if (value.length > 5 || typeof errorCode !== 'string') {
        return failed(new RpcFrameworkError('Malformed error message'), messageId, messageType);
      }
      const type = messageType === MessageType.CallError ? 'callError' : 'callResultError';
      return {
        ok: true,
        frame: {
          type,
          messageId,
          errorCode,
          description: typeof description === 'string' ? description : '',
          details: isPayload(details) ? details : {},
        },
      };
    }
  }
}

function tooDeep(text: string, maxDepth: number): ParseResult {
  const head = peekFrameHead(text);
  const answer = head.messageType === undefined || head.messageType === MessageType.Call;
  const description = `Frame nests deeper than ${maxDepth} levels`;
  if (head.messageId === undefined) return bad(new RpcFrameworkError(description), '-1', head.messageType, answer);
  return bad(new FormatViolationError(description), head.messageId, head.messageType, answer);
}

/** A refused frame whose type and id are known: only a CALL is answered. */
function failed(error: RpcError, messageId: string, messageType: number): ParseResult {
  return bad(error, messageId, messageType, messageType === MessageType.Call);
}

function bad(error: RpcError, messageId: string, messageType: number | undefined, answer: boolean): ParseResult {
  return { ok: false, bad: { error, messageId, messageType, answer } };
}

export function isPayload(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the message type and id from the start of a frame without parsing it all (used for
 * frames too large to parse). Undefined fields could not be read.
 */
export function peekFrameHead(text: string): { messageType: number | undefined; messageId: string | undefined } {
  const m = /^\s*\[\s*(\d+)\s*(?:,\s*"((?:[^"\\]|\\.){0,128})")?/.exec(text.slice(0, 256));
  const rawId = m?.[2];
  let messageId: string | undefined;
  try {
    messageId = rawId === undefined ? undefined : String(JSON.parse(`"${rawId}"`));
  } catch {
    messageId = undefined;
  }
  return { messageType: m?.[1] === undefined ? undefined : Number(m[1]), messageId };
}

export function encodeCall(messageId: string, action: string, payload: unknown): string {
  return JSON.stringify([MessageType.Call, messageId, action, payload]);
}

/** 2.1: a SEND, which is never answered. */
export function encodeSend(messageId: string, action: string, payload: unknown): string {
  return JSON.stringify([MessageType.Send, messageId, action, payload]);
}

export function encodeCallResult(messageId: string, payload: unknown): string {
  return JSON.stringify([MessageType.CallResult, messageId, payload]);
}

/** A CALLERROR, or with `resultError` a 2.1 CALLRESULTERROR. `code` must already be the wire spelling. */
export function encodeCallError(
  messageId: string,
  code: RpcErrorCode,
  description: string,
  details: ErrorDetails,
  resultError = false,
): string {
  const type = resultError ? MessageType.CallResultError : MessageType.CallError;
  return JSON.stringify([type, messageId, code, description, details]);
}
