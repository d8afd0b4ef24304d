import type { FastifyInstance } from 'fastify';
import type { UpstreamView } from '../../upstream/upstream.js';

/** The upstream link(s), their outbox depth and the data they used. */
export interface UpstreamQueries {
  view(): UpstreamView;
}

export function upstreamRoutes(app: FastifyInstance, queries: UpstreamQueries | undefined): void {
  app.get('/api/upstream', async () => queries?.view() ?? { mode: 'none', links: [], outboxDepth: 0, traffic: [] });
}
