import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { HubQueries } from '../hub-queries.js';
import type { RemoteControl } from '../remote-control.js';
import { ApiError } from '../errors.js';
import { bearerSecurity, errors, evseParams, station, stationIdParam } from '../schemas.js';

export interface StationRouteDeps {
  queries: HubQueries;
  remote: RemoteControl;
  writeGuard: onRequestHookHandler;
}

interface EvseParams {
  stationId: string;
  evseId: number;
}

const remoteAnswer = {
  type: 'object',
  required: ['status', 'stationId', 'evseId'],
  properties: {
    status: { type: 'string', enum: ['Accepted'] },
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    remoteStartId: { type: 'integer', description: 'OCPP 2.x: the remoteStartId the station will report' },
    transactionId: { type: 'string' },
  },
} as const;

export function stationRoutes(app: FastifyInstance, deps: StationRouteDeps): void {
  const { queries, remote, writeGuard } = deps;

  app.get(
    '/api/stations',
    {
      schema: {
        tags: ['stations'],
        summary: 'Stations the hub knows, with their EVSEs, connectors and active transactions',
        response: { 200: { type: 'object', required: ['stations'], properties: { stations: { type: 'array', items: station } } } },
      },
    },
    async () => ({ stations: queries.stations() }),
  );

  app.get<{ Params: { stationId: string } }>(
    '/api/stations/:stationId',
    {
      schema: {
        tags: ['stations'],
        summary: 'One station',
        params: { type: 'object', required: ['stationId'], properties: { stationId: stationIdParam } },
        response: { 200: station, ...errors(404) },
      },
    },
    async (req) => {
      const found = queries.station(req.params.stationId);
      if (!found) throw new ApiError('NOT_FOUND', `no station ${JSON.stringify(req.params.stationId)}`, 'params.stationId');
      return found;
    },
  );

  app.post<{ Params: EvseParams; Body: { idToken: string } }>(
    '/api/stations/:stationId/evses/:evseId/start',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['stations'],
        summary: 'Starts a transaction (standalone mode): RemoteStartTransaction (1.6) or RequestStartTransaction (2.x)',
        description: 'Answers 202 once the station accepted; the transaction then appears through the station\'s own messages.',
        security: bearerSecurity,
        params: evseParams,
        body: {
          type: 'object',
          required: ['idToken'],
          additionalProperties: false,
          properties: { idToken: { type: 'string', minLength: 1, maxLength: 36, description: 'The id token to start for (1.6: at most 20 characters)' } },
        },
        response: { 202: remoteAnswer, ...errors(400, 401, 404, 409, 502) },
      },
    },
    async (req, reply) => reply.status(202).send(await remote.start(req.params.stationId, req.params.evseId, req.body.idToken)),
  );

  app.post<{ Params: EvseParams }>(
    '/api/stations/:stationId/evses/:evseId/stop',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['stations'],
        summary: 'Stops the EVSE\'s active transaction (standalone mode): RemoteStopTransaction (1.6) or RequestStopTransaction (2.x)',
        security: bearerSecurity,
        params: evseParams,
        response: { 202: { ...remoteAnswer, required: ['status', 'stationId', 'evseId', 'transactionId'] }, ...errors(400, 401, 404, 409, 502) },
      },
    },
    async (req, reply) => reply.status(202).send(await remote.stop(req.params.stationId, req.params.evseId)),
  );
}
