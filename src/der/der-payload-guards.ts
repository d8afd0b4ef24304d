import { validatePayload, type PayloadKind } from '../ocpp/schema-validator.js';
import type { RpcError } from '../ocpp/errors.js';
import type { ClearDerControlRequest, GetDerControlRequest, SetDerControlRequest } from './der-control-types.js';

/** Why a payload does not fit the official OCPP 2.1 schema of the action, or undefined. */
export function derSchemaError(action: string, kind: PayloadKind, payload: unknown): RpcError | undefined {
  return validatePayload('2.1', action, kind, payload);
}

export function isSetDerControlRequest(x: unknown): x is SetDerControlRequest {
  return derSchemaError('SetDERControl', 'req', x) === undefined;
}

export function isGetDerControlRequest(x: unknown): x is GetDerControlRequest {
  return derSchemaError('GetDERControl', 'req', x) === undefined;
}

export function isClearDerControlRequest(x: unknown): x is ClearDerControlRequest {
  return derSchemaError('ClearDERControl', 'req', x) === undefined;
}
