import Fastify, { type FastifyInstance } from 'fastify';
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
import type { EnergyQueries } from './energy-queries.js';
import type { RemoteControl } from './remote-control.js';
import type { HubMetrics } from './metrics.js';
import { bearerAuth } from './bearer-auth.js';
import { installErrorHandling } from './error-handler.js';
import { openApiOptions } from './openapi.js';
import { installValidators } from './validators.js';
import { dashboardPlugin } from './dashboard/dashboard-plugin.js';
import type { DashboardProvider } from './dashboard/dashboard-provider.js';

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
}

/** Builds the fastify app (not listening): tests use inject(), the hub calls listen(). */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  installValidators(app);
  installErrorHandling(app, deps.log);
  void app.register(swagger, openApiOptions());
  void app.register(swaggerUi, { routePrefix: '/docs' });
  const writeGuard = bearerAuth(deps.token);
  void app.register(async (api) => {
    healthRoutes(api, deps.queries);
    stationRoutes(api, { queries: deps.queries, remote: deps.remote, writeGuard });
    evseRoutes(api, { queries: deps.queries, energy: deps.energy, writeGuard });
    transactionRoutes(api, deps.queries);
    siteRoutes(api, deps.energy, writeGuard);
    authorizationRoutes(api, { list: deps.authorizations, writeGuard });
    metricsRoutes(api, deps.metrics);
    upstreamRoutes(api, deps.upstream);
    if (deps.energy.setpoints) setpointRoutes(api, { setpoints: deps.energy.setpoints, writeGuard });
  });
  void app.register(dashboardPlugin, { queries: deps.queries, energy: deps.energy, log: deps.log, ...(deps.dashboard ? { provider: deps.dashboard } : {}) });
  return app;
}
