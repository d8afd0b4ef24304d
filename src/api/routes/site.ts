import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EnergyQueries } from '../energy-queries.js';
import { ApiError } from '../errors.js';

interface LimitBody {
  powerW?: unknown;
  durationS?: unknown;
}

export function siteRoutes(app: FastifyInstance, energy: EnergyQueries, requireToken: (req: FastifyRequest) => void): void {
  app.get('/api/site', async () => energy.site());

  app.get<{ Params: { stationId: string; evseId: string }; Querystring: { durationS?: string } }>('/api/evses/:stationId/:evseId/schedule', async (req) => {
    const durationS = req.query.durationS === undefined ? 3600 : Number(req.query.durationS);
    if (!Number.isInteger(durationS) || durationS < 60 || durationS > 7 * 86400) {
      throw new ApiError('BAD_REQUEST', `durationS: expected an integer 60-604800, found ${JSON.stringify(req.query.durationS)}`);
    }
    const key = `${req.params.stationId}/${req.params.evseId}`;
    const view = energy.evseSchedule(key, durationS);
    if (!view) throw new ApiError('NOT_FOUND', `no EVSE ${JSON.stringify(key)} in the site config`);
    return view;
  });

  app.post<{ Body: LimitBody }>('/api/site/limits', async (req, reply) => {
    requireToken(req);
    const body = (req.body ?? {}) as LimitBody;
    if (typeof body.powerW !== 'number' || !Number.isFinite(body.powerW) || body.powerW < 0) {
      throw new ApiError('BAD_REQUEST', `powerW: expected a number >= 0 (site import limit in W), found ${JSON.stringify(body.powerW)}`);
    }
    const durationS = body.durationS ?? 3600;
    if (typeof durationS !== 'number' || !Number.isInteger(durationS) || durationS < 1 || durationS > 7 * 86400) {
      throw new ApiError('BAD_REQUEST', `durationS: expected an integer 1-604800, found ${JSON.stringify(body.durationS)}`);
    }
    return reply.status(201).send(energy.setSiteLimit(body.powerW, durationS));
  });

  app.delete('/api/site/limits', async (req, reply) => {
    requireToken(req);
    energy.clearSiteLimit();
    return reply.status(204).send();
  });
}
