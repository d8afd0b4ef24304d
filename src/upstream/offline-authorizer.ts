import type { AuthorizationStatus } from '../model/types.js';
import type { AuthorizationRepo } from '../store/authorization-repo.js';
import { effectiveStatus } from '../store/authorization-repo.js';
import { fields, stringField } from './wire-fields.js';

export interface OfflineAuthorization {
  status: AuthorizationStatus;
  /** Where the answer came from. */
  source: 'list' | 'cache' | 'policy';
}

const STATUSES: readonly AuthorizationStatus[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

/**
 * The hub's answer for an id token while the CSMS cannot be asked: the local list first, then
 * the authorization cache (answers the CSMS gave before, with their expiry), then the
 * configured policy for unknown tokens.
 */
export function authorizeOffline(repo: AuthorizationRepo, idToken: string, nowMs: number, unknownIdTokens: 'Accepted' | 'Invalid'): OfflineAuthorization {
  const listed = repo.lookup(idToken, nowMs);
  if (listed) return { status: listed, source: 'list' };
  const cached = repo.cached(idToken);
  if (cached) return { status: effectiveStatus(cached.status, cached.expiryMs, nowMs), source: 'cache' };
  return { status: unknownIdTokens, source: 'policy' };
}

/**
 * Remembers the CSMS's answer for a token (1.6 idTagInfo or 2.x idTokenInfo) in the cache.
 * 2.x-only statuses (Unknown, NoCredit, ...) are cached as Invalid: the hub would refuse them offline.
 */
export function cacheCsmsAnswer(repo: AuthorizationRepo, idToken: string | undefined, result: unknown, nowMs: number): void {
  if (idToken === undefined) return;
  const r = fields(result);
  const info = r['idTagInfo'] ?? r['idTokenInfo'];
  const status = stringField(info, 'status');
  if (status === undefined) return;
  const known = STATUSES.find((s) => s === status) ?? 'Invalid';
  const expiry = stringField(info, 'expiryDate') ?? stringField(info, 'cacheExpiryDateTime');
  const expiryMs = expiry !== undefined ? Date.parse(expiry) : undefined;
  repo.cache(idToken, known, nowMs, expiryMs !== undefined && Number.isFinite(expiryMs) ? expiryMs : undefined);
}

/** The id token a station message names: 1.6 idTag or 2.x idToken.idToken. */
export function idTokenOf(payload: unknown): string | undefined {
  return stringField(payload, 'idTag') ?? stringField(fields(payload)['idToken'], 'idToken');
}
