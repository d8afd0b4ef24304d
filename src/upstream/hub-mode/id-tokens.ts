/** Identifiers between 1.6 idTag and 2.x idToken, and authorization statuses back. */
import { CSMS_TOKENS_MAX, type CsmsToken, type HubState } from './hub-state.js';
import type { IdToken2x, IdTokenInfo2x } from './wire-2x.js';

/** 1.6 AuthorizationStatus (idTagInfo.status). */
export type AuthorizationStatus16 = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTagInfo16 {
  status: AuthorizationStatus16;
  expiryDate?: string;
  parentIdTag?: string;
}

/** One rule: a 1.6 idTag matching `pattern` (a regular expression) goes upstream with `type`. */
export interface IdTokenRule {
  pattern: string;
  type: string;
}

/** How 1.6 idTags are typed upstream: the first matching rule wins, else `otherwise`. */
export interface IdTokenRules {
  rules: IdTokenRule[];
  otherwise: string;
}

/**
 * The default: a hex string of 4 to 10 bytes (8 to 20 hex digits, even length: the UIDs of
 * ISO 14443 cards are 4, 7 or 10 bytes, and readers often report other lengths of the same
 * cards, e.g. 6 bytes) is ISO14443; anything else Central (an identifier a back office issued).
 */
export const DEFAULT_ID_TOKEN_RULES: IdTokenRules = {
  rules: [{ pattern: '^(?:[0-9A-Fa-f]{2}){4,10}$', type: 'ISO14443' }],
  otherwise: 'Central',
};

const compiled = new WeakMap<IdTokenRules, { re: RegExp; type: string }[]>();

function compiledRules(rules: IdTokenRules): { re: RegExp; type: string }[] {
  let c = compiled.get(rules);
  if (!c) {
    c = rules.rules.map((r) => ({ re: new RegExp(r.pattern), type: r.type }));
    compiled.set(rules, c);
  }
  return c;
}

/**
 * A 1.6 idTag as a 2.x idToken. 1.6 does not say what kind of identifier an idTag is, so:
 * a token the CSMS itself named (e.g. in RequestStartTransaction) keeps the CSMS's type; else
 * the first matching rule (config `upstream.idTokenTypes`, DEFAULT_ID_TOKEN_RULES) decides.
 * A remotely started transaction uses the CSMS's own idToken (see from-16).
 */
export function idTokenOf16(idTag: string, rules: IdTokenRules = DEFAULT_ID_TOKEN_RULES, csmsTokens: readonly CsmsToken[] = []): IdToken2x {
  for (let i = csmsTokens.length - 1; i >= 0; i--) {
    const t = csmsTokens[i];
    if (t && t.idToken === idTag) return { idToken: idTag, type: t.type };
  }
  const hit = compiledRules(rules).find((r) => r.re.test(idTag));
  return { idToken: idTag, type: hit ? hit.type : rules.otherwise };
}

/** The state after the CSMS named `token`: remembered (newest last, bounded) for idTokenOf16. */
export function rememberCsmsToken(state: HubState, token: IdToken2x): HubState {
  if (token.idToken.length > 20) return state; // cannot come back as a 1.6 idTag
  const rest = (state.csmsTokens ?? []).filter((t) => t.idToken !== token.idToken);
  return { ...state, csmsTokens: [...rest, { idToken: token.idToken, type: token.type }].slice(-CSMS_TOKENS_MAX) };
}

/**
 * 2.x authorization status -> 1.6. The five 1.6 statuses pass through; the 2.x-only ones:
 * - NoCredit, NotAtThisTime -> Blocked (the identifier is known but may not charge now);
 * - NotAllowedTypeEVSE, NotAtThisLocation, Unknown -> Invalid (not valid here);
 * - anything unexpected -> Invalid.
 */
export function authorizationStatus16Of(status: string): AuthorizationStatus16 {
  switch (status) {
    case 'Accepted':
    case 'Blocked':
    case 'Expired':
    case 'Invalid':
    case 'ConcurrentTx':
      return status;
    case 'NoCredit':
    case 'NotAtThisTime':
      return 'Blocked';
    default:
      return 'Invalid';
  }
}

/** 2.x idTokenInfo -> 1.6 idTagInfo (expiry from cacheExpiryDateTime, parent from groupIdToken). */
export function idTagInfoOf(info: IdTokenInfo2x): IdTagInfo16 {
  const parent = info.groupIdToken?.idToken;
  return {
    status: authorizationStatus16Of(info.status),
    ...(info.cacheExpiryDateTime ? { expiryDate: info.cacheExpiryDateTime } : {}),
    ...(parent !== undefined && parent.length <= 20 ? { parentIdTag: parent } : {}),
  };
}

/** A 2.x idToken that fits a 1.6 idTag (at most 20 characters), or undefined. */
export function idTagOf2x(token: IdToken2x): string | undefined {
  return token.idToken.length <= 20 ? token.idToken : undefined;
}

