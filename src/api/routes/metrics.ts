import type { FastifyInstance } from 'fastify';
import type { HubMetrics } from '../metrics.js';

export function metricsRoutes(app: FastifyInstance, metrics: HubMetrics): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['hub'],
        summary: 'Prometheus metrics (text exposition format)',
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) => reply.type(metrics.contentType()).send(await metrics.scrape()),
  );
}
