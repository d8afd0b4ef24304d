import { generate } from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
}

const EC = { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256', days: 2 };
const RSA = { keyType: 'rsa' as const, keySize: 2048, algorithm: 'sha256', days: 2 };

/** A CA that can sign server and station certificates, generated inside the test. */
export async function makeCa(name = 'Switchyard Test CA', opts: { rsa?: boolean } = {}): Promise<Pem> {
  const r = await generate([{ name: 'commonName', value: name }], {
    ...(opts.rsa ? RSA : EC),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true },
    ],
  });
  return { cert: r.cert, key: r.private };
}

/** A server certificate for localhost/127.0.0.1 (EC P-256, or RSA 2048 with `rsa`). */
export async function makeServerCert(ca: Pem, opts: { rsa?: boolean } = {}): Promise<Pem> {
  const r = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...(opts.rsa ? RSA : EC),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: r.cert, key: r.private };
}

/** A station certificate whose CN is the station id (OCPP security profile 3). */
export async function makeClientCert(ca: Pem, commonName: string): Promise<Pem> {
  const r = await generate([{ name: 'commonName', value: commonName }], {
    ...EC,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { cert: r.cert, key: r.private };
}
