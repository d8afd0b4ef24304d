/** The API's error catalogue: stable codes with their HTTP status. Tests assert the code. */
export const API_ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  UNAUTHORIZED: { status: 401, message: 'A valid bearer token is required' },
  NOT_FOUND: { status: 404, message: 'No such resource' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    detail?: string,
  ) {
    super(detail ?? API_ERRORS[code].message);
    this.status = API_ERRORS[code].status;
  }
}

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export function errorBody(code: ApiErrorCode, message?: string): ApiErrorBody {
  return { error: { code, message: message ?? API_ERRORS[code].message } };
}
