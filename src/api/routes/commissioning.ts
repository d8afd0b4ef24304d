import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { ApiError } from '../errors.js';
import { bearerSecurity, errors, stationIdParam } from '../schemas.js';
import type { CommissioningApi } from '../commissioning-api.js';
import { CommissioningError } from '../../commissioning-service.js';

export interface CommissioningRouteDeps {
  commissioning: CommissioningApi;
  writeGuard: onRequestHookHandler;
}

const windowSchema = {
  type: 'object',
  required: ['openedMs', 'untilMs', 'admitted'],
  properties: {
    openedMs: { type: 'integer', description: 'When the window opened, ms since the epoch' },
    untilMs: { type: 'integer', description: 'When it closes, ms since the epoch' },
    admitted: { type: 'integer', description: 'New station ids admitted in this window' },
  },
} as const;

const pendingSchema = {
  type: 'object',
  required: ['stationId', 'remoteAddress', 'firstSeenMs', 'lastSeenMs', 'connectors', 'connected'],
  properties: {
    stationId: { type: 'string' },
    connected: { type: 'boolean', description: 'Connected now (approval sets its password over OCPP, so it must be)' },
    remoteAddress: { type: 'string' },
    firstSeenMs: { type: 'integer' },
    lastSeenMs: { type: 'integer' },
    version: { type: 'string', description: 'OCPP version it speaks' },
    boot: {
      type: 'object',
      description: 'What its BootNotification said',
      properties: { vendor: { type: 'string' }, model: { type: 'string' }, serialNumber: { type: 'string' }, firmwareVersion: { type: 'string' } },
    },
    connectors: {
      type: 'array',
      description: 'Connectors it reported (StatusNotification)',
      items: { type: 'object', required: ['evseId', 'connectorId', 'status'], properties: { evseId: { type: 'integer' }, connectorId: { type: 'integer' }, status: { type: 'string' } } },
    },
  },
} as const;

const refusedSchema = {
  type: 'object',
  required: ['remoteAddress', 'timeMs', 'reason'],
  properties: { stationId: { type: 'string' }, remoteAddress: { type: 'string' }, timeMs: { type: 'integer' }, reason: { type: 'string' } },
} as const;

/** One EVSE of a commissioned station: the fields of a site-config EVSE. */
const evsePlacement = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', minimum: 1, description: 'EVSE id (1.6: connector id)' },
    circuit: { type: 'string', description: 'Circuit id (the root when absent)' },
    phases: { type: 'integer', enum: [1, 3] },
    phaseRotation: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['L1', 'L2', 'L3'] }, description: 'Grid phase of each EVSE phase' },
    minCurrentA: { type: 'number', minimum: 0 },
    maxCurrentA: { type: 'number', minimum: 0 },
    priority: { type: 'number', minimum: 0 },
    maxPowerW: { type: 'number', minimum: 0 },
    connectors: { type: 'integer', minimum: 1, maximum: 8 },
  },
} as const;

const commissionedSchema = {
  type: 'object',
  required: ['stationId', 'version', 'createdMs', 'updatedMs', 'evses', 'connected'],
  properties: {
    stationId: { type: 'string' },
    version: { type: 'string' },
    createdMs: { type: 'integer' },
    updatedMs: { type: 'integer' },
    connected: { type: 'boolean' },
    evses: { type: 'array', items: { ...evsePlacement, additionalProperties: true } },
  },
} as const;

const placementBody = {
  type: 'object',
  required: ['evses'],
  additionalProperties: false,
  properties: { evses: { type: 'array', minItems: 1, maxItems: 16, items: evsePlacement } },
} as const;

const stationParams = { type: 'object', required: ['stationId'], properties: { stationId: stationIdParam } } as const;

export function commissioningRoutes(app: FastifyInstance, deps: CommissioningRouteDeps): void {
  const { commissioning: c, writeGuard } = deps;

  app.get(
    '/api/commissioning',
    {
      schema: {
        operationId: 'getCommissioning',
        tags: ['commissioning'],
        summary: 'The commissioning window, stations waiting for approval, refused connections, and stations added by commissioning',
        response: {
          200: {
            type: 'object',
            required: ['pending', 'refused', 'commissioned'],
            properties: { window: windowSchema, pending: { type: 'array', items: pendingSchema }, refused: { type: 'array', items: refusedSchema }, commissioned: { type: 'array', items: commissionedSchema } },
          },
        },
      },
    },
    async () => c.state(),
  );

  app.post<{ Body: { durationS: number } }>(
    '/api/commissioning',
    {
      onRequest: writeGuard,
      schema: {
        operationId: 'openCommissioningWindow',
        tags: ['commissioning'],
        summary: 'Opens the commissioning window (replacing an open one) for durationS',
        description: 'While it is open, unconfigured stations from loopback or LAN addresses may connect with any password and are answered BootNotification Pending.',
        security: bearerSecurity,
        body: { type: 'object', required: ['durationS'], additionalProperties: false, properties: { durationS: { type: 'integer', minimum: 1, maximum: 86_400 } } },
        response: { 201: windowSchema, ...errors(400, 401, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await run(() => c.openWindow(req.body.durationS))),
  );

  app.delete(
    '/api/commissioning',
    {
      onRequest: writeGuard,
      schema: { operationId: 'closeCommissioningWindow', tags: ['commissioning'], summary: 'Closes the commissioning window', security: bearerSecurity, response: { 204: { type: 'null' }, ...errors(401) } },
    },
    async (_req, reply) => {
      c.closeWindow();
      return reply.status(204).send();
    },
  );

  app.post<{ Params: { stationId: string }; Body: { evses: Array<{ id: number }> } }>(
    '/api/commissioning/pending/:stationId/approve',
    {
      onRequest: writeGuard,
      schema: {
        operationId: 'approvePendingStation',
        tags: ['commissioning'],
        summary: 'Approves a pending station: places its EVSEs, sets a generated password on it over OCPP, stores its hash',
        description: 'The station is closed after it took the password; it reconnects with it and is accepted at its next boot.',
        security: bearerSecurity,
        params: stationParams,
        body: placementBody,
        response: { 201: commissionedSchema, ...errors(400, 401, 404, 409, 502) },
      },
    },
    async (req, reply) => reply.status(201).send(await run(() => c.approve(req.params.stationId, req.body.evses))),
  );

  app.post<{ Body: { stationId: string; validS?: number; ocppUrl?: string } }>(
    '/api/commissioning/sheets',
    {
      onRequest: writeGuard,
      schema: {
        operationId: 'createCommissioningSheet',
        tags: ['commissioning'],
        summary: 'A commissioning sheet: OCPP URL, station id and a one-time password, as text and as a QR code (SVG)',
        description: 'The station id may log in once with the password (from an allowed address, even outside a window) and is then pending; approval gives it a password of its own.',
        security: bearerSecurity,
        body: {
          type: 'object',
          required: ['stationId'],
          additionalProperties: false,
          properties: {
            stationId: { type: 'string', minLength: 1, maxLength: 48, pattern: '^[A-Za-z0-9._:-]+$', description: 'The identity the charger will use' },
            validS: { type: 'integer', minimum: 60, maximum: 604_800, default: 86_400, description: 'How long the one-time password is good, s' },
            ocppUrl: {
              type: 'string',
              pattern: '^wss?://',
              maxLength: 512,
              description: 'The OCPP URL as the charger reaches the hub. Default: server.publicUrl, else the host this request came in on with the OCPP port and path (for a listener on every address), else the listening URL',
            },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['stationId', 'ocppUrl', 'ocppUrlSource', 'password', 'untilMs', 'text', 'svg'],
            properties: {
              stationId: { type: 'string' },
              ocppUrl: { type: 'string' },
              ocppUrlSource: {
                type: 'string',
                enum: ['request', 'config', 'host-header', 'listen-address'],
                description: 'Where ocppUrl came from: this request, server.publicUrl, the Host header of this request, or the OCPP listening address',
              },
              ocppUrlWarning: { type: 'string', description: 'Present when ocppUrl names a loopback host, which a charger on the network cannot reach' },
              password: { type: 'string', description: 'One-time password (shown once, stored only as a digest)' },
              untilMs: { type: 'integer' },
              text: { type: 'string' },
              svg: { type: 'string', description: 'The text as a QR code, SVG' },
            },
          },
          ...errors(400, 401, 409),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await run(() => c.sheet(req.body.stationId, req.body.validS ?? 86_400, { ...(req.body.ocppUrl !== undefined ? { ocppUrl: req.body.ocppUrl } : {}), ...(req.headers.host !== undefined ? { requestHost: req.headers.host } : {}) }))),
  );

  app.post<{ Params: { stationId: string } }>(
    '/api/commissioning/pending/:stationId/reject',
    {
      onRequest: writeGuard,
      schema: { operationId: 'rejectPendingStation', tags: ['commissioning'], summary: 'Rejects a pending station: forgotten, disconnected', security: bearerSecurity, params: stationParams, response: { 204: { type: 'null' }, ...errors(401, 404) } },
    },
    async (req, reply) => {
      await run(() => c.reject(req.params.stationId));
      return reply.status(204).send();
    },
  );

  app.put<{ Params: { stationId: string }; Body: { evses: Array<{ id: number }> } }>(
    '/api/commissioning/stations/:stationId',
    {
      onRequest: writeGuard,
      schema: {
        operationId: 'editCommissionedStation',
        tags: ['commissioning'],
        summary: 'Changes the placement of a station added by commissioning',
        security: bearerSecurity,
        params: stationParams,
        body: placementBody,
        response: { 200: commissionedSchema, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => run(() => c.edit(req.params.stationId, req.body.evses)),
  );

  app.delete<{ Params: { stationId: string } }>(
    '/api/commissioning/stations/:stationId',
    {
      onRequest: writeGuard,
      schema: {
        operationId: 'removeCommissionedStation',
        tags: ['commissioning'],
        summary: 'Removes a station added by commissioning: it may no longer log in',
        security: bearerSecurity,
        params: stationParams,
        response: { 204: { type: 'null' }, ...errors(401, 404, 409) },
      },
    },
    async (req, reply) => {
      await run(() => c.remove(req.params.stationId));
      return reply.status(204).send();
    },
  );
}

/** Maps the service's refusals to the API's error catalogue. */
async function run<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CommissioningError) throw new ApiError(err.code, err.message, err.field);
    throw err;
  }
}
