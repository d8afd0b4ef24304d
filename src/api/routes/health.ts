import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';
import type { EnergyQueries } from '../energy-queries.js';
import type { UpstreamQueries } from './upstream.js';
import { healthReasons } from '../health-reasons.js';

export interface HealthRouteDeps {
  queries: HubQueries;
  energy: EnergyQueries;
  upstream?: UpstreamQueries;
}

export function healthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['hub'],
        summary: 'Liveness and a one-line summary of the hub: ok, or degraded with the reasons',
        description:
          'Always 200 while the hub answers. `degraded` lists why: a circuit on failsafe, a stale meter, an unreachable CSMS link, a configured station offline.',
        response: {
          200: {
            type: 'object',
            required: ['status', 'reasons', 'uptimeS', 'stationsConnected', 'upstream'],
            properties: {
              status: { type: 'string', enum: ['ok', 'degraded'] },
              reasons: { type: 'array', items: { type: 'string' } },
              uptimeS: { type: 'number' },
              stationsConnected: { type: 'integer' },
              upstream: { type: 'string' },
            },
          },
        },
      },
    },
    async () => {
      const base = deps.queries.health();
      // The light inputs (no per-EVSE views, no station views): one pass over the configured
      // stations, and no query while they are all connected.
      const inputs = deps.energy.healthInputs();
      const reasons = healthReasons({
        site: inputs,
        evses: inputs.stationIds.map((stationId) => ({ stationId })),
        stations: deps.queries.stationPresence(inputs.stationIds),
        ...(deps.upstream ? { links: deps.upstream.view().links } : {}),
      });
      return { ...base, status: reasons.length > 0 ? 'degraded' : 'ok', reasons };
    },
  );
}
