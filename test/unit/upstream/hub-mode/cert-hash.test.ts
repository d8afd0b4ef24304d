import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certificateHashData } from '../../../../src/upstream/hub-mode/blocks/cert-hash.js';

// Certificates and the hashes openssl computes for them (test/fixtures/certificates/make.sh).
const dir = new URL('../../../fixtures/certificates/', import.meta.url);
const pem = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const openssl = JSON.parse(readFileSync(new URL('openssl-hashes.json', dir), 'utf8')) as Record<string, Record<string, string>>;

describe('certificate hash data against openssl', () => {
  it('matches openssl for a self-signed RSA root whose serial starts with a 0x0X byte', () => {
    expect(certificateHashData(pem('root.pem'))).toEqual({ hashAlgorithm: 'SHA256', ...openssl['root.pem'] });
  });

  it('matches openssl for a version 1 EC leaf whose DER serial starts with a 0x00 byte, given its issuer', () => {
    const hash = certificateHashData(pem('leaf.pem'), [pem('self-signed.pem'), pem('root.pem')]);
    expect(hash).toEqual({ hashAlgorithm: 'SHA256', ...openssl['leaf.pem'] });
  });

  it('matches openssl for a self-signed P-384 certificate whose DER serial is 00 ff 00', () => {
    expect(certificateHashData(pem('self-signed.pem'))).toEqual({ hashAlgorithm: 'SHA256', ...openssl['self-signed.pem'] });
  });
});
