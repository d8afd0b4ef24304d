import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { makeCa, makeServerCert, type Pem } from '../../helpers/test-pki.js';

/** Resolves with the negotiated protocol and cipher, or rejects with the handshake error. */
function handshake(port: number, opts: ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts }, () => {
      const out = { protocol: s.getProtocol(), cipher: s.getCipher().name };
      s.end();
      resolve(out);
    });
    s.once('error', reject);
  });
}

/** The HTTP status and body of a WebSocket upgrade request. */
function upgradeAnswer(port: number, path: string, opts: { ca: string; protocols: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      ca: opts.ca,
      servername: 'localhost',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': opts.protocols },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: String(res.headers['sec-websocket-protocol']) });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS of the OCPP endpoint', () => {
  let dir: string;
  let ca: Pem;
  const hubs: Harness[] = [];

  async function hubWith(tlsExtra: string): Promise<Harness> {
    const h = await startTestHub(
      `
server:
  tls: { certFile: server.pem, keyFile: server.key, caFile: ca.pem${tlsExtra} }
stations:
  - { id: CP3, securityProfile: 3 }
`,
      { dir },
    );
    hubs.push(h);
    return h;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-tls-hardening-'));
    ca = await makeCa('Switchyard Test CA', { rsa: true });
    const server = await makeServerCert(ca, { rsa: true });
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    writeFileSync(join(dir, 'server.pem'), server.cert);
    writeFileSync(join(dir, 'server.key'), server.key);
  });
  afterAll(async () => {
    for (const h of hubs) await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses TLS 1.2 suites without forward secrecy by default and accepts ECDHE ones', async () => {
    const h = await hubWith('');
    const port = h.hub.ocppPort;
    await expect(handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' })).rejects.toThrow();
    await expect(handshake(port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).resolves.toEqual({ protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
    await expect(handshake(port, {})).resolves.toMatchObject({ protocol: 'TLSv1.3' });
  });

  it('takes the minimum version and the cipher list from the config', async () => {
    const h = await hubWith(', minVersion: TLSv1.3');
    await expect(handshake(h.hub.ocppPort, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
    await expect(handshake(h.hub.ocppPort, {})).resolves.toMatchObject({ protocol: 'TLSv1.3' });

    const legacy = await hubWith(", ciphers: 'AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256'");
    await expect(handshake(legacy.hub.ocppPort, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' })).resolves.toMatchObject({ cipher: 'AES128-GCM-SHA256' });
  });

  it('refuses a profile 3 station that presents no certificate, saying so in the log (the station gets the one refusal text)', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    });
    const h = await startTestHub(`
server:
  tls: { certFile: server.pem, keyFile: server.key, caFile: ca.pem }
stations:
  - { id: CP3, securityProfile: 3 }
`, { dir, log: pino({ level: 'info' }, sink) });
    hubs.push(h);
    const answer = await upgradeAnswer(h.hub.ocppPort, '/ocpp/CP3', { ca: ca.cert, protocols: 'ocpp1.6' });
    // The same text for every credential failure, so a refusal does not tell which ids exist.
    expect(answer).toEqual({ status: 401, body: 'invalid credentials\n' });
    const refusal = chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { msg?: string; reason?: string }).find((l) => l.msg === 'connection refused');
    expect(refusal?.reason).toBe('no certificate presented');
  });
});
