import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '../util/logger.js';
import { API_ERRORS, ApiError, errorBody, type ApiErrorCode } from './errors.js';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `body.powerW`, `params.evseId`, `body.entries.0.idToken` from an ajv issue. */
export function fieldOf(context: string, issue: ValidationIssue): string {
  const path = issue.instancePath.split('/').filter((s) => s !== '');
  const missing = issue.params.missingProperty ?? issue.params.additionalProperty;
  if (typeof missing === 'string') path.push(missing);
  return [context, ...path].join('.');
}

function describe(field: string, issue: ValidationIssue): string {
  if (typeof issue.params.additionalProperty === 'string') return `${field}: unknown field`;
  if (typeof issue.params.missingProperty === 'string') return `${field}: required`;
  return `${field}: ${issue.message ?? 'invalid'}`;
}

/** Our code for a client error fastify raised (body parsing, size, content type), by its code and status. */
export function clientErrorCode(fastifyCode: string | undefined, status: number): ApiErrorCode {
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'MALFORMED_JSON';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 404) return 'NOT_FOUND';
  return 'BAD_REQUEST';
}

/** Every error leaves as a catalogue body; request validation errors name the field. */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(errorBody(err.code, err.message, err.field));
    if (err.validation && err.validation.length > 0) {
      const issue = err.validation[0] as ValidationIssue;
      const field = fieldOf(err.validationContext ?? 'request', issue);
      return reply.status(400).send(errorBody('BAD_REQUEST', describe(field, issue), field));
    }
    const status = err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = clientErrorCode(err.code, status);
      return reply.status(API_ERRORS[code].status === status ? status : 400).send(errorBody(code, err.message, code === 'MALFORMED_JSON' ? 'body' : undefined));
    }
    log.error({ err: err.message }, 'api handler failed');
    return reply.status(500).send(errorBody('INTERNAL'));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
}
