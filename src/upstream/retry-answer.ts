import type { OcppVersion } from '../ocpp/versions.js';
import type { AuthorizationRepo } from '../store/authorization-repo.js';
import type { RetryMatch } from '../evse/station-retries.js';
import { authorizeOffline, idTokenOf } from './offline-authorizer.js';

/**
 * The answer to a station's retry of a message already recorded (and queued for the CSMS): the
 * same transaction id as the first time, and the token status from the local list or the
 * authorization cache, which holds the CSMS's answer once it came. Nothing is recorded or
 * queued again.
 */
export function retryAnswer(version: OcppVersion, match: RetryMatch, payload: unknown, auth: { repo: AuthorizationRepo; nowMs: number; unknownIdTokens: 'Accepted' | 'Invalid' }): Record<string, unknown> {
  const base: Record<string, unknown> = match.action === 'StartTransaction' ? { transactionId: match.transactionId } : {};
  const idToken = idTokenOf(payload);
  if (idToken === undefined || match.action === 'MeterValues') return base;
  const { status } = authorizeOffline(auth.repo, idToken, auth.nowMs, auth.unknownIdTokens);
  return { ...base, [version === '1.6' ? 'idTagInfo' : 'idTokenInfo']: { status } };
}
