import { randomInt } from 'node:crypto';
import type { OcppVersion } from '../ocpp/versions.js';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A strong Basic-auth password for a station: 20 characters from 57 unambiguous letters and
 * digits (about 116 bits), uniformly drawn. 20 bytes is the most the OCPP 1.6 security white
 * paper allows (16-20 bytes); 2.x's BasicAuthPassword takes 16-40 characters.
 */
export function generateStationPassword(): string {
  let out = '';
  for (let i = 0; i < 20; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * The OCPP call that sets a station's Basic-auth password: 1.6 ChangeConfiguration of
 * AuthorizationKey, whose value is the password hex-encoded (security white paper: the charger
 * decodes it and uses the bytes as its password); 2.x SetVariables of
 * SecurityCtrlr.BasicAuthPassword with the password as it is.
 */
export function setPasswordCall(version: OcppVersion, password: string): { action: string; payload: unknown } {
  if (version === '1.6') return { action: 'ChangeConfiguration', payload: { key: 'AuthorizationKey', value: Buffer.from(password, 'utf8').toString('hex').toUpperCase() } };
  return {
    action: 'SetVariables',
    payload: { setVariableData: [{ attributeValue: password, component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] },
  };
}

/** Whether the station's answer to setPasswordCall says it took the password. */
export function passwordAccepted(version: OcppVersion, answer: unknown): boolean {
  const ok = (s: unknown) => s === 'Accepted' || s === 'RebootRequired';
  if (version === '1.6') return ok((answer as { status?: unknown } | undefined)?.status);
  const results = (answer as { setVariableResult?: Array<{ attributeStatus?: unknown }> } | undefined)?.setVariableResult;
  return Array.isArray(results) && results.length === 1 && ok(results[0]?.attributeStatus);
}
