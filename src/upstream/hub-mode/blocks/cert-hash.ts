/**
 * OCPP CertificateHashData of an X.509 certificate (SHA-256): the hash of the DER issuer Name,
 * the hash of the issuer's public key (the BIT STRING of its SubjectPublicKeyInfo) and the serial
 * number in hex. node:crypto gives the serial and the SubjectPublicKeyInfo; it does not give the
 * DER of the issuer and subject Names (only their text form, which does not round-trip), and no
 * ASN.1 library is a dependency, so a minimal DER reader below finds those two fields and the
 * BIT STRING inside the key. The issuer key is the certificate's own for a self-signed one, else
 * the key of a known certificate whose subject is this one's issuer.
 */
import { X509Certificate, createHash } from 'node:crypto';

interface Tlv {
  start: number;
  /** Offset of the content. */
  body: number;
  end: number;
}

function tlv(der: Buffer, at: number): Tlv {
  let len = der[at + 1] ?? 0;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[body + i] ?? 0);
    body += n;
  }
  return { start: at, body, end: body + len };
}

/** The elements of the SEQUENCE that starts at `at`. */
function elements(der: Buffer, at: number): Tlv[] {
  const parent = tlv(der, at);
  const out: Tlv[] = [];
  for (let i = parent.body; i < parent.end; ) {
    const t = tlv(der, i);
    out.push(t);
    i = t.end;
  }
  return out;
}

/** TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, ... */
function issuerAndSubject(der: Buffer): { issuerDer: Buffer; subjectDer: Buffer } {
  const tbs = elements(der, 0)[0];
  if (!tbs) throw new Error('not a certificate');
  const fields = elements(der, tbs.start);
  const offset = der[fields[0]?.start ?? 0] === 0xa0 ? 1 : 0;
  const issuer = fields[offset + 2];
  const subject = fields[offset + 4];
  if (!issuer || !subject) throw new Error('not a certificate');
  return { issuerDer: der.subarray(issuer.start, issuer.end), subjectDer: der.subarray(subject.start, subject.end) };
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
  const x509 = new X509Certificate(pem);
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  const bits = elements(spki, 0)[1];
  if (!bits) throw new Error('no public key');
  // The serial as its shortest whole bytes (node gives "0" for zero).
  const serial = x509.serialNumber.toLowerCase();
  return {
    ...issuerAndSubject(x509.raw),
    publicKey: spki.subarray(bits.body + 1, bits.end),
    serialHex: serial.length % 2 === 1 ? `0${serial}` : serial,
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
