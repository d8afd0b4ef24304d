import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../util/logger.js';
import type { HubQueries } from './hub-queries.js';
import { ApiError, errorBody } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { stationRoutes } from './routes/stations.js';
import { transactionRoutes } from './routes/transactions.js';

export interface ApiDeps {
  queries: HubQueries;
  log: Logger;
}

/** Builds the fastify app (not listening): tests use inject(), the hub calls listen(). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(errorBody(err.code, err.message));
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.status(status).send(errorBody('BAD_REQUEST', (err as Error).message));
    deps.log.error({ err }, 'api handler failed');
    return reply.status(500).send(errorBody('INTERNAL'));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('NOT_FOUND', `no route ${req.method} ${req.url}`)));
  healthRoutes(app, deps.queries);
  stationRoutes(app, deps.queries);
  transactionRoutes(app, deps.queries);
  return app;
}
