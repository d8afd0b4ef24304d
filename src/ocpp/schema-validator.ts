import { createRequire } from 'node:module';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';
import { fastDateTime } from './date-time-format.js';
import { createRpcError, wireErrorCode, NotImplementedError, type RpcError, type RpcErrorCode } from './errors.js';
import type { OcppVersion } from './versions.js';

/** Which half of an exchange a payload is: the request or its confirmation/response. */
export type PayloadKind = 'req' | 'conf';

const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as FormatsPlugin;
/** ajv-formats' full date-time check: the reference the schemas' `date-time` answers equal. */
const referenceDateTime = addFormats.get('date-time', 'full') as { validate: (text: string) => boolean; compare: (a: string, b: string) => number | undefined };

/** The official OCA schemas, as shipped by ocpp-rpc. */
const SCHEMA_FILES: Record<OcppVersion, string> = {
  '1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  '2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
  '2.1': 'ocpp-rpc/lib/schemas/ocpp2_1.json',
};

/**
 * ajv keyword -> canonical error code. Follows ocpp-rpc's table, plus `enum`/`const`
 * (a value outside the allowed set is an invalid value). Anything else is a FormatViolation.
 * The version's spelling is applied afterwards by wireErrorCode.
 */
const CODE_BY_KEYWORD: Record<string, RpcErrorCode> = {
  type: 'TypeConstraintViolation',
  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  minProperties: 'OccurrenceConstraintViolation',
  maxProperties: 'OccurrenceConstraintViolation',
  additionalItems: 'OccurrenceConstraintViolation',
  exclusiveMinimum: 'OccurrenceConstraintViolation',
  exclusiveMaximum: 'OccurrenceConstraintViolation',
  multipleOf: 'OccurrenceConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  propertyNames: 'PropertyConstraintViolation',
  additionalProperties: 'PropertyConstraintViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'FormatViolation',
  minLength: 'FormatViolation',
  maximum: 'FormatViolation',
  minimum: 'FormatViolation',
  format: 'FormatViolation',
};

const ACTION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

interface VersionSchemas {
  ajv: Ajv;
  /** Raw schemas by their `$id`. */
  byId: Map<string, AnySchemaObject>;
  /** Compiled validators by `$id`, filled on first use. */
  compiled: Map<string, ValidateFunction>;
  /**
   * The validator of each known action's request and response, by action name, filled on first
   * use: a message is validated without building its schema id (unknown actions are not kept,
   * so a peer inventing names cannot grow it).
   */
  byAction: Record<PayloadKind, Map<string, ValidateFunction>>;
}

/** One ajv instance per version; each action's schema is compiled on first use and cached. */
const schemasByVersion = new Map<OcppVersion, VersionSchemas>();

function schemasFor(version: OcppVersion): VersionSchemas {
  let entry = schemasByVersion.get(version);
  if (!entry) {
    // The OCA schemas carry non-standard keywords (javaType, comment): strict off.
    // multipleOfPrecision absorbs float noise (0.1 * 3 is not a multiple of 0.1 in IEEE 754).
    const ajv = new Ajv({ strict: false, multipleOfPrecision: 6 });
    addFormats(ajv, ['uri']);
    // The same date-time answers as ajv-formats' full format, without its garbage for the plain form.
    ajv.addFormat('date-time', { validate: fastDateTime(referenceDateTime.validate), compare: referenceDateTime.compare });
    const schemas: AnySchemaObject[] = require(SCHEMA_FILES[version]);
    // The ids (`urn:Heartbeat.req`) are not URNs that ajv's URI library accepts, so they stay
    // out of ajv: the schemas only reference their own #/definitions.
    const byId = new Map(schemas.map((s): [string, AnySchemaObject] => [String(s.$id), s]));
    entry = { ajv, byId, compiled: new Map(), byAction: { req: new Map(), conf: new Map() } };
    schemasByVersion.set(version, entry);
  }
  return entry;
}

function validatorFor(version: OcppVersion, id: string): ValidateFunction | undefined {
  const entry = schemasFor(version);
  let validate = entry.compiled.get(id);
  if (!validate) {
    const schema = entry.byId.get(id);
    if (!schema) return undefined;
    const { $id: _id, ...withoutId } = schema;
    validate = entry.ajv.compile(withoutId);
    entry.compiled.set(id, validate);
  }
  return validate;
}

/**
 * Schema ids: 1.6 and 2.0.1 use `urn:<Action>.req` / `urn:<Action>.conf`; 2.1 uses
 * `urn:<Action>Request` / `urn:<Action>Response`, and a SEND-only message (e.g.
 * NotifyPeriodicEventStream) has just `urn:<Action>`.
 */
function schemaIds(version: OcppVersion, action: string, kind: PayloadKind): string[] {
  // Only plain names: anything else could address a fragment inside another schema.
  if (!ACTION_NAME.test(action)) return [];
  if (version !== '2.1') return [`urn:${action}.${kind}`];
  return kind === 'req' ? [`urn:${action}Request`, `urn:${action}`] : [`urn:${action}Response`];
}

/** The validator of an action's request or response, or undefined when the version has no schema for it. */
function validatorOf(version: OcppVersion, action: string, kind: PayloadKind): ValidateFunction | undefined {
  const entry = schemasFor(version);
  const known = entry.byAction[kind];
  let validate = known.get(action);
  if (validate === undefined) {
    const id = schemaIds(version, action, kind).find((i) => entry.byId.has(i));
    validate = id === undefined ? undefined : validatorFor(version, id);
    if (validate) known.set(action, validate);
  }
  return validate;
}

/** Whether the version's schemas know the action at all (an unknown one is NotImplemented). */
export function hasAction(version: OcppVersion, action: string): boolean {
  if (schemasFor(version).byAction.req.has(action)) return true;
  const { byId } = schemasFor(version);
  return schemaIds(version, action, 'req').some((id) => byId.has(id));
}

/**
 * Validates a payload against the official schema for (version, action, kind).
 * Returns undefined when valid, else the RpcError to answer with, in the version's spelling.
 */
export function validatePayload(
  version: OcppVersion,
  action: string,
  kind: PayloadKind,
  payload: unknown,
): RpcError | undefined {
  const validate = validatorOf(version, action, kind);
  if (!validate) {
    return new NotImplementedError(`Unknown action '${action}' for OCPP ${version}`);
  }
  if (validate(payload)) return undefined;
  const errors = validate.errors ?? [];
  return errorFor(version, errors);
}

function errorFor(version: OcppVersion, errors: ErrorObject[]): RpcError {
  const first = errors[0];
  const code = (first && CODE_BY_KEYWORD[first.keyword]) ?? 'FormatViolation';
  const where = first?.instancePath || '(payload)';
  const description = first ? `${where} ${first.message ?? 'is invalid'}` : 'Payload is invalid';
  return createRpcError(wireErrorCode(version, code), description, {
    errors: errors.map((e) => ({ path: e.instancePath, keyword: e.keyword, message: e.message })),
  });
}
