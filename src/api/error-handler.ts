import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from '../util/logger.js';
import { ApiError, errorBody } from './errors.js';

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
    if (status !== undefined && status >= 400 && status < 500) return reply.status(status).send(errorBody('BAD_REQUEST', err.message));
    log.error({ err: err.message }, 'api handler failed');
    return reply.status(500).send(errorBody('INTERNAL'));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
}
