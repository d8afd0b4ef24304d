import type { OcppVersion } from './versions.js';

/**
 * The OCPP-J CallError codes of every version, both spellings included.
 *
 * Spellings differ per version (see wireErrorCode):
 * - 1.6 prints `FormationViolation` and `OccurenceConstraintViolation` (sic). The 1.6-J errata
 *   sheet (section 5, "known issues that will not be fixed") keeps both typos on the wire.
 * - 2.0.1 fixes `FormatViolation` but still prints `OccurenceConstraintViolation`; it adds
 *   `RpcFrameworkError` and `MessageTypeNotSupported`.
 * - 2.1 uses `OccurrenceConstraintViolation`.
 */
export const RPC_ERROR_CODES = [
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'FormatViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'OccurrenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
  'MessageTypeNotSupported',
  'RpcFrameworkError',
] as const;

export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

/** The errorDetails object of a CALLERROR. */
export type ErrorDetails = Record<string, unknown>;

/** Longest errorDescription the 2.x specification allows. */
export const MAX_ERROR_DESCRIPTION_CHARS = 255;

const DEFAULT_DESCRIPTIONS: Record<RpcErrorCode, string> = {
  NotImplemented: 'Requested action is not known by receiver',
  NotSupported: 'Requested action is recognized but not supported by the receiver',
  InternalError: 'An internal error occurred and the receiver was not able to process the requested action',
  ProtocolError: 'Payload for action is incomplete',
  SecurityError: 'A security issue occurred preventing the receiver from completing the action',
  FormationViolation: 'Payload for action is syntactically incorrect or does not conform to the PDU structure',
  FormatViolation: 'Payload for action is syntactically incorrect or does not conform to the PDU structure',
  PropertyConstraintViolation: 'Payload is syntactically correct but at least one field contains an invalid value',
  OccurenceConstraintViolation: 'Payload is syntactically correct but at least one field violates occurrence constraints',
  OccurrenceConstraintViolation: 'Payload is syntactically correct but at least one field violates occurrence constraints',
  TypeConstraintViolation: 'Payload is syntactically correct but at least one field violates data type constraints',
  GenericError: 'Generic error',
  MessageTypeNotSupported: 'A message with a message type number not supported by this implementation was received',
  RpcFrameworkError: 'Content of the message is not a valid RPC request',
};

/** An error that travels on the wire as a CALLERROR: a code, a description and details. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  readonly description: string;
  readonly details: ErrorDetails;

  constructor(code: RpcErrorCode, description?: string, details: ErrorDetails = {}) {
    const text = description || DEFAULT_DESCRIPTIONS[code];
    super(`${code}: ${text}`);
    this.name = new.target.name;
    this.code = code;
    this.description = text;
    this.details = details;
  }
}

function errorClass(code: RpcErrorCode) {
  return class extends RpcError {
    constructor(description?: string, details?: ErrorDetails) {
      super(code, description, details);
    }
  };
}

export class NotImplementedError extends errorClass('NotImplemented') {}
export class NotSupportedError extends errorClass('NotSupported') {}
export class InternalError extends errorClass('InternalError') {}
export class ProtocolError extends errorClass('ProtocolError') {}
export class SecurityError extends errorClass('SecurityError') {}
export class FormationViolationError extends errorClass('FormationViolation') {}
export class FormatViolationError extends errorClass('FormatViolation') {}
export class PropertyConstraintViolationError extends errorClass('PropertyConstraintViolation') {}
export class OccurenceConstraintViolationError extends errorClass('OccurenceConstraintViolation') {}
export class OccurrenceConstraintViolationError extends errorClass('OccurrenceConstraintViolation') {}
export class TypeConstraintViolationError extends errorClass('TypeConstraintViolation') {}
export class GenericError extends errorClass('GenericError') {}
export class MessageTypeNotSupportedError extends errorClass('MessageTypeNotSupported') {}
export class RpcFrameworkError extends errorClass('RpcFrameworkError') {}

type RpcErrorClass = new (description?: string, details?: ErrorDetails) => RpcError;

const CLASS_BY_CODE: Record<RpcErrorCode, RpcErrorClass> = {
  NotImplemented: NotImplementedError,
  NotSupported: NotSupportedError,
  InternalError: InternalError,
  ProtocolError: ProtocolError,
  SecurityError: SecurityError,
  FormationViolation: FormationViolationError,
  FormatViolation: FormatViolationError,
  PropertyConstraintViolation: PropertyConstraintViolationError,
  OccurenceConstraintViolation: OccurenceConstraintViolationError,
  OccurrenceConstraintViolation: OccurrenceConstraintViolationError,
  TypeConstraintViolation: TypeConstraintViolationError,
  GenericError: GenericError,
  MessageTypeNotSupported: MessageTypeNotSupportedError,
  RpcFrameworkError: RpcFrameworkError,
};

export function isRpcErrorCode(s: unknown): s is RpcErrorCode {
  return typeof s === 'string' && (RPC_ERROR_CODES as readonly string[]).includes(s);
}

/**
 * The error for a code received on the wire. An unknown code becomes a GenericError whose
 * details keep what was received under `receivedCode`.
 */
export function createRpcError(code: string, description?: string, details?: ErrorDetails): RpcError {
  if (isRpcErrorCode(code)) return new CLASS_BY_CODE[code](description, details);
  return new GenericError(description, { ...details, receivedCode: code });
}

/**
 * The spelling of `code` that `version` puts on the wire. Accepts either spelling as input.
 * 1.6 has no RpcFrameworkError: a frame that is not a valid RPC message is a FormationViolation
 * ("syntactically incorrect"); nor MessageTypeNotSupported: GenericError is its only catch-all.
 */
export function wireErrorCode(version: OcppVersion, code: RpcErrorCode): RpcErrorCode {
  const format = version === '1.6' ? 'FormationViolation' : 'FormatViolation';
  const occurrence = version === '2.1' ? 'OccurrenceConstraintViolation' : 'OccurenceConstraintViolation';
  switch (code) {
    case 'FormationViolation':
    case 'FormatViolation':
      return format;
    case 'OccurenceConstraintViolation':
    case 'OccurrenceConstraintViolation':
      return occurrence;
    case 'RpcFrameworkError':
      return version === '1.6' ? 'FormationViolation' : code;
    case 'MessageTypeNotSupported':
      return version === '1.6' ? 'GenericError' : code;
    default:
      return code;
  }
}

/** Description cut to the length the wire allows. */
export function wireDescription(description: string): string {
  return description.length > MAX_ERROR_DESCRIPTION_CHARS
    ? description.slice(0, MAX_ERROR_DESCRIPTION_CHARS)
    : description;
}

/** An outgoing call got no answer within its timeout. Not a wire error. */
export class RpcTimeoutError extends Error {
  constructor(readonly action: string, readonly timeoutMs: number) {
    super(`${action}: no answer within ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** The connection closed (or was closed) before an outgoing call was answered. */
export class RpcClosedError extends Error {
  /** neverSent: the call was still waiting its turn (or the connection was already closed): it never went on the wire. */
  constructor(
    readonly action: string,
    readonly neverSent = false,
  ) {
    super(`${action}: connection closed before an answer`);
    this.name = 'RpcClosedError';
  }
}
