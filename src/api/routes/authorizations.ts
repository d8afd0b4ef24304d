import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { AuthorizationEntry, AuthorizationStatus } from '../../model/types.js';
import { ApiError } from '../errors.js';
import { maskIdToken, type Access } from '../access.js';
import { AUTHORIZATION_STATUSES, authorizationEntry, bearerSecurity, errors } from '../schemas.js';

/** The local authorization list as the API edits it (the store's AuthorizationRepo fits). */
export interface AuthorizationListStore {
  list(): AuthorizationEntry[];
  get(idToken: string): AuthorizationEntry | undefined;
  upsertMany(entries: readonly AuthorizationEntry[]): void;
  remove(idTokens: readonly string[]): number;
  version(): number;
}

export interface AuthorizationRouteDeps {
  list: AuthorizationListStore;
  writeGuard: onRequestHookHandler;
  /** Reads show id tokens (personal data) only to a caller with the token; masked otherwise. */
  access: Access;
}

interface EntryBody {
  status: AuthorizationStatus;
  expiry?: string;
  parentIdToken?: string;
}

interface ApiEntry {
  idToken: string;
  status: AuthorizationStatus;
  expiry?: string;
  parentIdToken?: string;
}

const idTokenParams = {
  type: 'object',
  required: ['idToken'],
  properties: { idToken: { type: 'string', minLength: 1, maxLength: 255, description: 'The id token (RFID uid, key code, ...)' } },
} as const;

function toApi(e: AuthorizationEntry, masked = false): ApiEntry {
  return {
    idToken: masked ? maskIdToken(e.idToken) : e.idToken,
    status: e.status,
    ...(e.expiryMs !== undefined ? { expiry: new Date(e.expiryMs).toISOString() } : {}),
    ...(e.parentIdToken !== undefined ? { parentIdToken: masked ? maskIdToken(e.parentIdToken) : e.parentIdToken } : {}),
  };
}

export function authorizationRoutes(app: FastifyInstance, deps: AuthorizationRouteDeps): void {
  const { list, writeGuard, access } = deps;
  const notFound = (idToken: string) => new ApiError('NOT_FOUND', `id token ${JSON.stringify(idToken)} is not on the local list`, 'params.idToken');

  app.get(
    '/api/authorizations',
    {
      schema: {
        tags: ['authorization'],
        summary: 'The local authorization list and its version',
        response: {
          200: { type: 'object', required: ['version', 'entries'], properties: { version: { type: 'integer' }, entries: { type: 'array', items: authorizationEntry } } },
        },
      },
    },
    async (req) => {
      const masked = !access.seesPersonalData(req);
      return { version: list.version(), entries: list.list().map((e) => toApi(e, masked)) };
    },
  );

  app.get<{ Params: { idToken: string } }>(
    '/api/authorizations/:idToken',
    { schema: { tags: ['authorization'], summary: 'One entry of the local list', params: idTokenParams, response: { 200: authorizationEntry, ...errors(404) } } },
    async (req) => {
      const entry = list.get(req.params.idToken);
      if (!entry) throw notFound(req.params.idToken);
      return toApi(entry);
    },
  );

  app.put<{ Params: { idToken: string }; Body: EntryBody }>(
    '/api/authorizations/:idToken',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['authorization'],
        summary: 'Adds an entry to the local list (201) or replaces it (200)',
        security: bearerSecurity,
        params: idTokenParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: AUTHORIZATION_STATUSES, default: 'Accepted' },
            expiry: { type: 'string', format: 'date-time', description: 'ISO 8601; from then on the token reads as Expired (unless Blocked)' },
            parentIdToken: { type: 'string', minLength: 1, maxLength: 255 },
          },
        },
        response: { 200: authorizationEntry, 201: authorizationEntry, ...errors(400, 401) },
      },
    },
    async (req, reply) => {
      const { idToken } = req.params;
      const existed = list.get(idToken) !== undefined;
      const entry: AuthorizationEntry = {
        idToken,
        status: req.body.status,
        ...(req.body.expiry !== undefined ? { expiryMs: Date.parse(req.body.expiry) } : {}),
        ...(req.body.parentIdToken !== undefined ? { parentIdToken: req.body.parentIdToken } : {}),
      };
      list.upsertMany([entry]);
      return reply.status(existed ? 200 : 201).send(toApi(entry));
    },
  );

  app.delete<{ Params: { idToken: string } }>(
    '/api/authorizations/:idToken',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['authorization'],
        summary: 'Removes an entry from the local list',
        security: bearerSecurity,
        params: idTokenParams,
        response: { 204: { type: 'null' }, ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      if (list.remove([req.params.idToken]) === 0) throw notFound(req.params.idToken);
      return reply.status(204).send();
    },
  );
}
