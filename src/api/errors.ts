/** The API's error catalogue: stable codes with their HTTP status. Tests assert the code. */
export const API_ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  /** The body is not JSON (or is empty where JSON was announced). */
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON' },
  /** The body is larger than the API accepts. */
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  /** The body's content type is not one this route reads (JSON). */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json' },
  /** A setpoint or setting that nothing on the site would act on. */
  NOT_APPLICABLE: { status: 409, message: 'Nothing on this site would act on that request' },
  /** A history or sessions window that cannot be answered (order, length, step); the message says why. */
  INVALID_RANGE: { status: 400, message: 'The time window or step is not valid' },
  UNAUTHORIZED: { status: 401, message: 'A valid bearer token is required' },
  NOT_FOUND: { status: 404, message: 'No such resource' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  /** The station is known but has no open connection to the hub. */
  STATION_NOT_CONNECTED: { status: 409, message: 'The station is not connected' },
  /** Remote start/stop is only for standalone mode (upstream none): a CSMS owns transactions otherwise. */
  NOT_STANDALONE: { status: 409, message: 'Only available in standalone mode (upstream: none)' },
  /** Stopping on an EVSE that has no active transaction. */
  NO_ACTIVE_TRANSACTION: { status: 409, message: 'The EVSE has no active transaction' },
  /** The station answered the request with Rejected. */
  STATION_REJECTED: { status: 409, message: 'The station rejected the request' },
  /** The station answered with a CallError, did not answer in time, or went away. */
  STATION_CALL_FAILED: { status: 502, message: 'The station did not carry out the request' },
  /** An earlier API request to the same station still waits for its answer. */
  STATION_BUSY: { status: 409, message: 'A request to this station is still pending' },
  /** The station did not answer within api.stationCallTimeoutS. */
  STATION_TIMEOUT: { status: 504, message: 'The station did not answer in time' },
  /** The Host header names no host this API answers to (DNS-rebinding guard). */
  HOST_NOT_ALLOWED: { status: 421, message: 'This API does not answer to that host name' },
  /** The cap on live-stream readers (in total or per address) is reached. */
  TOO_MANY_READERS: { status: 503, message: 'Too many live-stream readers' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    detail?: string,
    /** The offending field, e.g. `body.powerW` or `params.evseId`. */
    readonly field?: string,
  ) {
    super(detail ?? API_ERRORS[code].message);
    this.status = API_ERRORS[code].status;
  }
}

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}

export function errorBody(code: ApiErrorCode, message?: string, field?: string): ApiErrorBody {
  return { error: { code, message: message ?? API_ERRORS[code].message, ...(field !== undefined ? { field } : {}) } };
}

