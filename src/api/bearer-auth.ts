import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { createAccess, type Access } from './access.js';
import { ApiError } from './errors.js';

/**
 * The hook write routes carry: without a configured token writes are open (loopback use, or
 * explicitly allowed beyond it); with one, `Authorization: Bearer <token>` must match (compared in
 * constant time). Runs on request, before the body is parsed or validated, so an unauthorized
 * caller learns nothing.
 */
export function bearerAuth(token: string | undefined, access: Access = createAccess(token)): onRequestHookHandler {
  return async (req: FastifyRequest) => {
    if (!access.tokenConfigured) return;
    if (access.hasToken(req)) return;
    const header = req.headers.authorization ?? '';
    throw new ApiError('UNAUTHORIZED', header === '' ? 'this endpoint needs Authorization: Bearer <token>' : 'the bearer token is not valid');
  };
}
