import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApiError } from './errors.js';

/**
 * The hook write routes carry: without a configured token writes are open (loopback use);
 * with one, `Authorization: Bearer <token>` must match (compared in constant time). Runs on
 * request, before the body is parsed or validated, so an unauthorized caller learns nothing.
 */
export function bearerAuth(token: string | undefined): onRequestHookHandler {
  return async (req: FastifyRequest) => {
    if (token === undefined) return;
    const header = req.headers.authorization ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ApiError('UNAUTHORIZED', header === '' ? 'this endpoint needs Authorization: Bearer <token>' : 'the bearer token is not valid');
    }
  };
}
