import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Logger } from '../util/logger.js';
import { ApiError } from './errors.js';

/** Who may see what on the API, decided once per request from the configured token. */
export interface Access {
  /** A token is configured and the request carries it (header; `?token=` only where `allowQuery`). */
  hasToken(req: FastifyRequest, allowQuery?: boolean): boolean;
  /**
   * Whether the caller may see personal data (id tokens): with a configured token only when the
   * request carries it; without one only from a loopback address.
   */
  seesPersonalData(req: FastifyRequest, allowQuery?: boolean): boolean;
  /** Whether a token is configured. */
  readonly tokenConfigured: boolean;
  /** A short, non-secret fingerprint of the configured token for the audit log. */
  readonly tokenId: string | undefined;
}

export function createAccess(token: string | undefined): Access {
  const expected = token === undefined ? undefined : Buffer.from(token);
  const given = (req: FastifyRequest, allowQuery: boolean): string | undefined => {
    const header = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (header !== undefined) return header;
    if (!allowQuery) return undefined;
    const q = (req.query as Record<string, unknown> | undefined)?.token;
    return typeof q === 'string' ? q : undefined;
  };
  const hasToken = (req: FastifyRequest, allowQuery = false): boolean => {
    const g = given(req, allowQuery);
    if (expected === undefined || g === undefined) return false;
    const a = Buffer.from(g);
    return a.length === expected.length && timingSafeEqual(a, expected);
  };
  return {
    hasToken,
    seesPersonalData: (req, allowQuery = false) => (expected === undefined ? isLoopback(req.socket.remoteAddress) : hasToken(req, allowQuery)),
    tokenConfigured: expected !== undefined,
    tokenId: token === undefined ? undefined : `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 8)}`,
  };
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** An id token as a caller without the token sees it: only its last two characters. */
export function maskIdToken(idToken: string): string {
  return idToken.length >= 6 ? `***${idToken.slice(-2)}` : '***';
}

/**
 * DNS-rebinding guard: a browser tricked into calling the API through a hostile name sends that
 * name in `Host`. Allowed: IP literals (v4 and [v6]), `localhost` and `*.localhost`, and the
 * configured names. Port and case are ignored.
 */
export function hostGuard(allowedHosts: readonly string[]): onRequestHookHandler {
  const names = new Set(allowedHosts.map((h) => h.toLowerCase()));
  return async (req) => {
    const host = req.headers.host;
    if (host === undefined || !hostAllowed(host, names)) {
      throw new ApiError('HOST_NOT_ALLOWED', `Host ${JSON.stringify(host ?? '')} is not one this API answers to (add it to api.allowedHosts)`);
    }
  };
}

export function hostAllowed(hostHeader: string, names: ReadonlySet<string>): boolean {
  const h = hostHeader.trim().toLowerCase();
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']')) : h.replace(/:\d+$/, '');
  if (name === '') return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return names.has(name);
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Logs every API write once answered: who (remote address, token fingerprint or none), what
 * (method, route, parameters with id tokens masked) and the status. Never bodies or headers.
 */
export function auditWrites(app: FastifyInstance, deps: { log: Logger; access: Access }): void {
  app.addHook('onResponse', async (req, reply) => {
    if (!WRITES.has(req.method)) return;
    const params = { ...(req.params as Record<string, string> | undefined) };
    if (typeof params.idToken === 'string') params.idToken = maskIdToken(params.idToken);
    deps.log.info(
      {
        event: 'api-write',
        method: req.method,
        route: req.routeOptions.url ?? req.url.split('?')[0],
        params,
        status: reply.statusCode,
        remote: req.socket.remoteAddress,
        who: deps.access.hasToken(req) ? deps.access.tokenId : 'no token',
      },
      'api write',
    );
  });
}
