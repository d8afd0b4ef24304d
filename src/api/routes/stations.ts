import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';
import { ApiError } from '../errors.js';

export function stationRoutes(app: FastifyInstance, queries: HubQueries): void {
  app.get('/api/stations', async () => ({ stations: queries.stations() }));
  app.get<{ Params: { id: string } }>('/api/stations/:id', async (req) => {
    const station = queries.station(req.params.id);
    if (!station) throw new ApiError('NOT_FOUND', `no station ${JSON.stringify(req.params.id)}`);
    return station;
  });
}
