/** Identifiers between 1.6 idTag and 2.x idToken, and authorization statuses back. */
import type { IdToken2x, IdTokenInfo2x } from './wire-2x.js';

/** 1.6 AuthorizationStatus (idTagInfo.status). */
export type AuthorizationStatus16 = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx';

export interface IdTagInfo16 {
  status: AuthorizationStatus16;
  expiryDate?: string;
  parentIdTag?: string;
}

/** Hex RFID UIDs: 4, 7 or 10 bytes. */
const RFID_UID = /^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{20})$/;

/**
 * A 1.6 idTag as a 2.x idToken. 1.6 does not say what kind of identifier an idTag is; the rule:
 * a hex string of an RFID UID length (8, 14 or 20 digits) is ISO14443, anything else Central
 * (an identifier issued by a back office). A remotely started transaction uses the CSMS's own
 * idToken instead (see charger-to-csms).
 */
export function idTokenOf16(idTag: string): IdToken2x {
  return { idToken: idTag, type: RFID_UID.test(idTag) ? 'ISO14443' : 'Central' };
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

