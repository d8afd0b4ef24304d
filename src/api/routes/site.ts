import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { EnergyQueries } from '../energy-queries.js';
import { bearerSecurity, errors, site, siteLimit } from '../schemas.js';
import { SiteJson } from '../site-json.js';

export function siteRoutes(app: FastifyInstance, energy: EnergyQueries, writeGuard: onRequestHookHandler): void {
  const siteJson = new SiteJson();
  app.get(
    '/api/site',
    {
      schema: {
        tags: ['site'],
        summary: 'Meters, circuits (load per phase against limit), EVSE limits with sources, the site limit override, the last decision',
        response: { 200: site },
      },
    },
    // The text is assembled from parts serialized with the schema (site-json.ts): the same
    // text the schema's serializer would make, without serializing every EVSE row at every read.
    async (_req, reply) => {
      const text = siteJson.render(energy.site(), (schema) => {
        const serialize = reply.compileSerializationSchema(schema);
        return (data) => serialize(data as Record<string, unknown>);
      });
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );

  app.post<{ Body: { powerW: number; durationS: number } }>(
    '/api/site/limits',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['site'],
        summary: 'Sets a temporary site import limit (replaces an earlier one)',
        security: bearerSecurity,
        body: {
          type: 'object',
          required: ['powerW'],
          additionalProperties: false,
          properties: {
            powerW: { type: 'number', minimum: 0, description: 'Site import limit, W' },
            durationS: { type: 'integer', minimum: 1, maximum: 7 * 86400, default: 3600, description: 'How long it holds, s' },
          },
        },
        response: { 201: siteLimit, ...errors(400, 401) },
      },
    },
    async (req, reply) => reply.status(201).send(energy.setSiteLimit(req.body.powerW, req.body.durationS)),
  );

  app.delete(
    '/api/site/limits',
    {
      onRequest: writeGuard,
      schema: { tags: ['site'], summary: 'Clears the site limit override', security: bearerSecurity, response: { 204: { type: 'null' }, ...errors(401) } },
    },
    async (_req, reply) => {
      energy.clearSiteLimit();
      return reply.status(204).send();
    },
  );
}
