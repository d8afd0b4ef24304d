import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';

export function healthRoutes(app: FastifyInstance, queries: HubQueries): void {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['hub'],
        summary: 'Liveness and a one-line summary of the hub',
        response: {
          200: {
            type: 'object',
            required: ['status', 'uptimeS', 'stationsConnected', 'upstream'],
            properties: { status: { type: 'string', enum: ['ok'] }, uptimeS: { type: 'number' }, stationsConnected: { type: 'integer' }, upstream: { type: 'string' } },
          },
        },
      },
    },
    async () => queries.health(),
  );
}
