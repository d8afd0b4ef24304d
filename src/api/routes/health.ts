import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';

export function healthRoutes(app: FastifyInstance, queries: HubQueries): void {
  app.get('/api/health', async () => queries.health());
}
