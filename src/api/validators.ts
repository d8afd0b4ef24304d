import { createRequire } from 'node:module';
import { Ajv, type AnySchema } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS: required, as the OCPP schema validator does.
const addFormats = require('ajv-formats') as FormatsPlugin;

function ajv(coerceTypes: boolean | 'array'): Ajv {
  const instance = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  addFormats(instance);
  return instance;
}

/**
 * Request validation: JSON bodies are taken as typed (a string "11000" is not a number), while
 * params and querystrings, which are always text, are coerced to the schema's types. Unknown
 * fields are refused (additionalProperties: false), never silently dropped.
 */
export function installValidators(app: FastifyInstance): void {
  const forBody = ajv(false);
  const forText = ajv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? forBody : forText).compile(schema as AnySchema));
}
