import { afterEach, describe, expect, it } from 'vitest';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { hashPassword } from '../../../src/evse/password.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { makeCa, makeServerCert } from '../../helpers/test-pki.js';

const TOKEN = 'security-test-token-01';

/** A logger whose JSON lines a test can read. */
function capturingLogger(): { log: pino.Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const text = () => chunks.join('');
  return { log, text, lines: () => text().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Opens the live stream over a real socket; resolves with the status once the headers arrived. */
function openStream(url: string): Promise<{ status: number; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, (res) => resolve({ status: res.statusCode ?? 0, res }));
    req.on('error', reject);
  });
}

let h: Harness | undefined;
const open: IncomingMessage[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) r.destroy();
  await h?.stop();
  h = undefined;
});

describe('the Host header (DNS-rebinding guard)', () => {
  it('answers IP literals, localhost and configured names, and refuses other names with 421', async () => {
    h = await startTestHub(`api: { allowedHosts: [hub.example.net] }\n`);
    const status = async (host: string) => (await h!.hub.api.inject({ method: 'GET', url: '/api/health', headers: { host } })).statusCode;
    expect(await status('127.0.0.1:8080')).toBe(200);
    expect(await status('192.168.1.20:8080')).toBe(200);
    expect(await status('[::1]:8080')).toBe(200);
    expect(await status('localhost:8080')).toBe(200);
    expect(await status('Hub.Example.Net')).toBe(200);
    const evil = await h.hub.api.inject({ method: 'GET', url: '/api/authorizations', headers: { host: 'attacker.example.com' } });
    expect(evil.statusCode).toBe(421);
    expect(evil.json()).toMatchObject({ error: { code: 'HOST_NOT_ALLOWED' } });
  });
});

describe('personal data', () => {
  const SITE = `
api: { token: ${TOKEN} }
authorization:
  list: [{ idToken: 04A2B3C4D5E6F7, parentIdToken: GROUP-0001 }]
`;

  it('masks id tokens for a caller without the token and shows them with it', async () => {
    h = await startTestHub(SITE);
    const anon = await h.hub.api.inject({ method: 'GET', url: '/api/authorizations' });
    expect(anon.json()).toMatchObject({ entries: [{ idToken: '***F7', parentIdToken: '***01' }] });
    const wrong = await h.hub.api.inject({ method: 'GET', url: '/api/authorizations', headers: { authorization: 'Bearer nope-nope-nope' } });
    expect(wrong.json()).toMatchObject({ entries: [{ idToken: '***F7' }] });
    const withToken = await h.hub.api.inject({ method: 'GET', url: '/api/authorizations', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.json()).toMatchObject({ entries: [{ idToken: '04A2B3C4D5E6F7', parentIdToken: 'GROUP-0001' }] });
  });

  it('without a configured token shows id tokens to loopback callers only', async () => {
    h = await startTestHub(`authorization: { list: [{ idToken: 04A2B3C4D5E6F7 }] }\n`);
    const local = await h.hub.api.inject({ method: 'GET', url: '/api/authorizations', remoteAddress: '127.0.0.1' });
    expect(local.json()).toMatchObject({ entries: [{ idToken: '04A2B3C4D5E6F7' }] });
    const remote = await h.hub.api.inject({ method: 'GET', url: '/api/authorizations', remoteAddress: '10.1.2.3' });
    expect(remote.json()).toMatchObject({ entries: [{ idToken: '***F7' }] });
  });

  it('masks the id tokens of transactions without the token', async () => {
    h = await startTestHub(SITE);
    h.hub.store.transactions.recordEvent({ stationId: 'CP1', transactionId: 'T1', eventType: 'Started', seqNo: 0, timeMs: 0, triggerReason: 'Authorized', evseId: 1, connectorId: 1, idToken: '04A2B3C4D5E6F7', meterValues: [] });
    const anon = await h.hub.api.inject({ method: 'GET', url: '/api/transactions' });
    expect(anon.json()).toMatchObject({ transactions: [{ transactionId: 'T1', idToken: '***F7' }] });
    const withToken = await h.hub.api.inject({ method: 'GET', url: '/api/transactions', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.json()).toMatchObject({ transactions: [{ transactionId: 'T1', idToken: '04A2B3C4D5E6F7' }] });
  });
});

describe('API writes', () => {
  it('are logged with who and what, without the token or the body', async () => {
    const cap = capturingLogger();
    h = await startTestHub(`api: { token: ${TOKEN} }\n`, { log: cap.log });
    await h.hub.api.inject({ method: 'PUT', url: '/api/authorizations/04A2B3C4D5E6F7', headers: { authorization: `Bearer ${TOKEN}` }, payload: { status: 'Accepted' } });
    await h.hub.api.inject({ method: 'DELETE', url: '/api/authorizations/04A2B3C4D5E6F7', remoteAddress: '10.9.8.7' });
    const writes = cap.lines().filter((l) => l.event === 'api-write');
    expect(writes).toEqual([
      expect.objectContaining({ method: 'PUT', route: '/api/authorizations/:idToken', params: { idToken: '***F7' }, status: 201, who: expect.stringMatching(/^sha256:[0-9a-f]{8}$/) }),
      expect.objectContaining({ method: 'DELETE', status: 401, who: 'no token', remote: '10.9.8.7' }),
    ]);
    expect(cap.text()).not.toContain(TOKEN);
    expect(cap.text()).not.toContain('04A2B3C4D5E6F7');
  });

  it('the token of a real site is not printed at start-up', async () => {
    const cap = capturingLogger();
    h = await startTestHub(`api: { token: ${TOKEN} }\n`, { log: cap.log });
    expect(cap.text()).toContain('API listening');
    expect(cap.text()).not.toContain(TOKEN);
  });
});

describe('the live stream', () => {
  it('needs the token when one is configured (header or ?token=)', async () => {
    h = await startTestHub(`api: { token: ${TOKEN} }\n`);
    const anon = await openStream(`${h.hub.apiUrl}/api/stream`);
    open.push(anon.res);
    expect(anon.status).toBe(401);
    const ok = await openStream(`${h.hub.apiUrl}/api/stream?token=${TOKEN}`);
    open.push(ok.res);
    expect(ok.status).toBe(200);
    expect(ok.res.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  it('refuses readers beyond the per-address cap and takes one again when a reader leaves', async () => {
    h = await startTestHub(`api: { maxStreamReadersPerAddress: 2 }\n`);
    const url = `${h.hub.apiUrl}/api/stream`;
    const a = await openStream(url);
    const b = await openStream(url);
    open.push(a.res, b.res);
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await openStream(url);
    open.push(c.res);
    expect(c.status).toBe(503);
    a.res.destroy();
    let again = await openStream(url);
    // The hub notices the closed reader when its socket closes: retry until it did.
    while (again.status === 503) {
      again.res.destroy();
      await new Promise((r) => setImmediate(r));
      again = await openStream(url);
    }
    open.push(again.res);
    expect(again.status).toBe(200);
  });

  it('refuses readers beyond the total cap', async () => {
    h = await startTestHub(`api: { maxStreamReaders: 3, maxStreamReadersPerAddress: 10 }\n`);
    const url = `${h.hub.apiUrl}/api/stream`;
    const readers = [await openStream(url), await openStream(url), await openStream(url)];
    open.push(...readers.map((r) => r.res));
    expect(readers.map((r) => r.status)).toEqual([200, 200, 200]);
    const extra = await openStream(url);
    open.push(extra.res);
    expect(extra.status).toBe(503);
  });
});

describe('API connections', () => {
  it('closes TCP connections beyond api.maxConnections', async () => {
    const { connect } = await import('node:net');
    h = await startTestHub(`api: { maxConnections: 2 }\n`);
    const port = h.hub.apiPort;
    const sockets = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', r))));
    while ((await new Promise<number>((r) => h!.hub.api.server.getConnections((_e, n) => r(n)))) < 2) await new Promise((r) => setImmediate(r));
    const extra = connect(port, '127.0.0.1');
    extra.on('error', () => undefined);
    await new Promise((r) => extra.once('close', r));
    for (const s of sockets) s.destroy();
  });
});

describe('API over TLS', () => {
  it('serves HTTPS with the configured certificate and key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-api-tls-'));
    const ca = await makeCa();
    const server = await makeServerCert(ca);
    writeFileSync(join(dir, 'api.crt'), server.cert);
    writeFileSync(join(dir, 'api.key'), server.key);
    h = await startTestHub(`api: { tls: { certFile: api.crt, keyFile: api.key } }\n`, { dir });
    expect(h.hub.apiUrl).toMatch(/^https:/);
    const status = await new Promise<number>((resolve, reject) => {
      httpsGet(`${h!.hub.apiUrl}/api/health`, { ca: ca.cert }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(200);
  });
});

describe('station sessions', () => {
  it('a second valid login replaces the connected session and is logged as a security event', async () => {
    const cap = capturingLogger();
    h = await startTestHub(`stations: [{ id: CP1, passwordHash: '${hashPassword('right-password-1')}' }]\n`, { log: cap.log });
    const auth = { authorization: `Basic ${Buffer.from('CP1:right-password-1').toString('base64')}` };
    const first = new WebSocket(`${h.hub.ocppUrl}/CP1`, ['ocpp1.6'], { headers: auth });
    await new Promise((r) => first.once('open', r));
    const firstClosed = new Promise<number>((r) => first.once('close', (code) => r(code)));
    const second = new WebSocket(`${h.hub.ocppUrl}/CP1`, ['ocpp1.6'], { headers: auth });
    await new Promise((r) => second.once('open', r));
    await firstClosed;
    while (!cap.lines().some((l) => l.kind === 'session-replaced')) await new Promise((r) => setImmediate(r));
    expect(cap.lines().find((l) => l.kind === 'session-replaced')).toMatchObject({ event: 'security', stationId: 'CP1', level: 40 });
    second.close();
  });
});
