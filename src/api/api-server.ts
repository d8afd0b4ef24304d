import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../util/logger.js';
import type { HubQueries } from './hub-queries.js';
import { healthRoutes } from './routes/health.js';
import { stationRoutes } from './routes/stations.js';
import { transactionRoutes } from './routes/transactions.js';
import { siteRoutes } from './routes/site.js';
import { evseRoutes } from './routes/evses.js';
import { authorizationRoutes, type AuthorizationListStore } from './routes/authorizations.js';
import { metricsRoutes } from './routes/metrics.js';
import { upstreamRoutes, type UpstreamQueries } from './routes/upstream.js';
import { setpointRoutes, type SetpointControl } from './routes/setpoints.js';
import { commissioningRoutes } from './routes/commissioning.js';
import type { CommissioningApi } from './commissioning-api.js';
import type { EnergyQueries } from './energy-queries.js';
import type { RemoteControl } from './remote-control.js';
import type { HubMetrics } from './metrics.js';
import { bearerAuth } from './bearer-auth.js';
import { auditWrites, createAccess, hostGuard } from './access.js';
import { installErrorHandling } from './error-handler.js';
import { openApiOptions } from './openapi.js';
import { installValidators } from './validators.js';
import { dashboardPlugin } from './dashboard/dashboard-plugin.js';
import type { DashboardProvider } from './dashboard/dashboard-provider.js';
import { historyRoutes } from './routes/history.js';
import type { HistoryQueries } from './history-queries.js';

export interface ApiDeps {
  queries: HubQueries;
  /** With `setpoints`, the external setpoint routes are served. */
  energy: EnergyQueries & { setpoints?: SetpointControl };
  log: Logger;
  /** Bearer token for write endpoints; without one, writes are open (loopback use). */
  token?: string;
  /** Starts and stops transactions on stations (standalone mode). */
  remote: RemoteControl;
  /** The local authorization list. */
  authorizations: AuthorizationListStore;
  /** Prometheus metrics served at /metrics. */
  metrics: HubMetrics;
  /** Hub facts for the live dashboard at / (circuit tree, meter roles, change signal). */
  dashboard?: DashboardProvider;
  /** Upstream links, outbox and traffic (absent in standalone mode). */
  upstream?: UpstreamQueries;
  /** HTTPS instead of HTTP (PEM cert and key). */
  https?: { cert: string | Buffer; key: string | Buffer };
  /** Limits and guards; defaults as in the config schema. */
  security?: ApiSecurity;
  /** Commissioning of new stations (routes under /api/commissioning). */
  commissioning?: CommissioningApi;
  /** Power history and completed sessions (/api/history, /api/sessions). */
  history?: HistoryQueries;
}

export interface ApiSecurity {
  /** Host names answered to besides IP literals and localhost. */
  allowedHosts?: readonly string[];
  /** With a token configured, the live stream needs it (default); false serves it masked to anyone. */
  streamNeedsToken?: boolean;
  /** Live-stream readers in total and per source address. */
  maxStreamReaders?: number;
  maxStreamReadersPerAddress?: number;
  /** TCP connections open at once. */
  maxConnections?: number;
}

/** Builds the fastify app (not listening): tests use inject(), the hub calls listen(). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    // A client gets 30 s to send its request (slow-header and slow-body clients are cut off).
    requestTimeout: 30_000,
    ...(deps.https ? { serverFactory: httpsFactory(deps.https) } : {}),
  });
  app.server.maxConnections = deps.security?.maxConnections ?? 256;
  installValidators(app);
  installErrorHandling(app, deps.log);
  const access = createAccess(deps.token);
  app.addHook('onRequest', hostGuard(deps.security?.allowedHosts ?? []));
  auditWrites(app, { log: deps.log, access });
  void app.register(swagger, openApiOptions());
  void app.register(swaggerUi, { routePrefix: '/docs' });
  const writeGuard = bearerAuth(deps.token, access);
  void app.register(async (api) => {
    healthRoutes(api, { queries: deps.queries, energy: deps.energy, ...(deps.upstream ? { upstream: deps.upstream } : {}) });
    stationRoutes(api, { queries: deps.queries, remote: deps.remote, writeGuard });
    evseRoutes(api, { queries: deps.queries, energy: deps.energy, writeGuard });
    transactionRoutes(api, { queries: deps.queries, access });
    siteRoutes(api, deps.energy, writeGuard);
    authorizationRoutes(api, { list: deps.authorizations, writeGuard, access });
    metricsRoutes(api, deps.metrics);
    upstreamRoutes(api, deps.upstream);
    if (deps.energy.setpoints) setpointRoutes(api, { setpoints: deps.energy.setpoints, writeGuard });
    if (deps.commissioning) commissioningRoutes(api, { commissioning: deps.commissioning, writeGuard });
    if (deps.history) historyRoutes(api, { history: deps.history, access });
  });
  void app.register(dashboardPlugin, {
    queries: deps.queries,
    energy: deps.energy,
    log: deps.log,
    access,
    streamNeedsToken: deps.security?.streamNeedsToken ?? true,
    maxReaders: deps.security?.maxStreamReaders ?? 32,
    maxReadersPerAddress: deps.security?.maxStreamReadersPerAddress ?? 4,
    ...(deps.dashboard ? { provider: deps.dashboard } : {}),
  });
  return app;
}

/** The same app over HTTPS: an https.Server handles requests exactly as an http.Server does. */
function httpsFactory(tls: { cert: string | Buffer; key: string | Buffer }): FastifyServerFactory<Server> {
  return (handler) => createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
}
