/**
 * OCPP CertificateHashData of an X.509 certificate (SHA-256): the hash of the DER issuer Name,
 * the hash of the issuer's public key (the BIT STRING of its SubjectPublicKeyInfo) and the serial
 * number in hex. Reads just enough DER for that; the issuer key is the certificate's own for a
 * self-signed one, else the key of a known certificate whose subject is this one's issuer.
 */
import { X509Certificate, createHash } from 'node:crypto';

interface Tlv {
  tag: number;
  start: number;
  /** Offset of the content. */
  body: number;
  end: number;
}

function tlv(der: Buffer, at: number): Tlv {
  const tag = der[at] ?? 0;
  let len = der[at + 1] ?? 0;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[body + i] ?? 0);
    body += n;
  }
  return { tag, start: at, body, end: body + len };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.body; at < parent.end; ) {
    const t = tlv(der, at);
    out.push(t);
    at = t.end;
  }
  return out;
}

export interface CertFacts {
  issuerDer: Buffer;
  subjectDer: Buffer;
  /** The subjectPublicKey bits, without the unused-bits byte. */
  publicKey: Buffer;
  serialHex: string;
}

/** Facts of a PEM certificate; throws when it is not one. */
export function certFacts(pem: string): CertFacts {
  const der = new X509Certificate(pem).raw;
  const tbs = children(der, tlv(der, 0))[0];
  if (!tbs) throw new Error('not a certificate');
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  const subject = fields[offset + 4];
  const spki = fields[offset + 5];
  if (!serial || !issuer || !subject || !spki) throw new Error('not a certificate');
  const bits = children(der, spki)[1];
  if (!bits) throw new Error('no public key');
  let serialBytes = der.subarray(serial.body, serial.end);
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  return {
    issuerDer: der.subarray(issuer.start, issuer.end),
    subjectDer: der.subarray(subject.start, subject.end),
    publicKey: der.subarray(bits.body + 1, bits.end),
    serialHex: serialBytes.toString('hex'),
  };
}

export interface CertificateHashData {
  hashAlgorithm: 'SHA256';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export function certificateHashData(pem: string, known: readonly string[] = []): CertificateHashData {
  const facts = certFacts(pem);
  let issuerKey = facts.publicKey;
  if (!facts.issuerDer.equals(facts.subjectDer)) {
    for (const other of known) {
      try {
        const o = certFacts(other);
        if (o.subjectDer.equals(facts.issuerDer)) issuerKey = o.publicKey;
      } catch {
        // not a certificate: skip
      }
    }
  }
  return { hashAlgorithm: 'SHA256', issuerNameHash: sha256(facts.issuerDer), issuerKeyHash: sha256(issuerKey), serialNumber: facts.serialHex.slice(0, 40) };
}

export function sameHash(a: unknown, b: CertificateHashData): boolean {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  return x.issuerNameHash === b.issuerNameHash && x.issuerKeyHash === b.issuerKeyHash && String(x.serialNumber).toLowerCase() === b.serialNumber.toLowerCase();
}
