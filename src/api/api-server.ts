import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from '../util/logger.js';
import type { HubQueries } from './hub-queries.js';
import { ApiError, errorBody } from './errors.js';
import { healthRoutes } from './routes/health.js';
import { stationRoutes } from './routes/stations.js';
import { transactionRoutes } from './routes/transactions.js';
import { siteRoutes } from './routes/site.js';
import type { EnergyQueries } from './energy-queries.js';

export interface ApiDeps {
  queries: HubQueries;
  energy: EnergyQueries;
  log: Logger;
  /** Bearer token for write endpoints; without one, writes are open (loopback use). */
  token?: string;
}

function tokenCheck(token: string | undefined): (req: FastifyRequest) => void {
  return (req) => {
    if (token === undefined) return;
    const header = req.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ApiError('UNAUTHORIZED');
  };
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
  siteRoutes(app, deps.energy, tokenCheck(deps.token));
  return app;
}
