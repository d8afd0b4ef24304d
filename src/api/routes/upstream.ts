import type { FastifyInstance } from 'fastify';
import type { UpstreamView } from '../../upstream/upstream.js';

/** The upstream link(s), their outbox depth and the data they used. */
export interface UpstreamQueries {
  view(): UpstreamView;
}

export function upstreamRoutes(app: FastifyInstance, queries: UpstreamQueries | undefined): void {
  const schema = { tags: ['hub'], summary: 'The upstream CSMS link(s): state, outbox depth and data used (mode none: standalone)' };
  app.get('/api/upstream', { schema }, async () => queries?.view() ?? { mode: 'none', links: [], outboxDepth: 0, traffic: [] });
}
