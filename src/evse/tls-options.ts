import { createSecureContext } from 'node:tls';

/**
 * Default cipher suites of the OCPP endpoint: forward-secret (ECDHE) AEAD suites only for
 * TLS 1.2, plus the TLS 1.3 suites (all forward-secret). OCPP 1.6's security whitepaper also
 * lists TLS_RSA_WITH_AES_*_GCM (no forward secrecy); a site with such chargers sets
 * `server.tls.ciphers` explicitly.
 */
export const DEFAULT_TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_MIN_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];

/** Why OpenSSL refuses this cipher list, or undefined when it takes it. */
export function cipherListProblem(ciphers: string): string | undefined {
  try {
    createSecureContext({ ciphers });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
