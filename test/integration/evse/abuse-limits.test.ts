import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { hashPassword } from '../../../src/evse/password.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';

const HASH = hashPassword('right-password-1');

/** Tries a WebSocket login; resolves with the HTTP status and body of a refusal, or 101 when it was accepted. */
function login(url: string, stationId: string, password?: string): Promise<{ status: number; body: string; retryAfter?: string }> {
  const headers = password === undefined ? {} : { authorization: `Basic ${Buffer.from(`${stationId}:${password}`).toString('base64')}` };
  const ws = new WebSocket(`${url}/${stationId}`, ['ocpp1.6'], { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}) }));
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

/** An idle TCP connection to the OCPP port; `closed` resolves when the server closes it. */
async function idle(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

/** Resolves once the hub counts `n` open TCP connections on its OCPP port. */
async function untilConnections(h: Harness, n: number): Promise<void> {
  while (h.hub.ocppConnections().total !== n) await new Promise((r) => setImmediate(r));
}

describe('station logins', () => {
  let h: Harness | undefined;
  afterEach(async () => h?.stop());

  it('answers an unknown station id and a wrong password with the same status and text', async () => {
    h = await startTestHub(`
stations:
  - { id: CP1, passwordHash: '${HASH}' }
`);
    const wrong = await login(h.hub.ocppUrl, 'CP1', 'wrong-password');
    const unknown = await login(h.hub.ocppUrl, 'NOBODY', 'wrong-password');
    const missing = await login(h.hub.ocppUrl, 'CP1');
    expect(wrong).toEqual({ status: 401, body: 'invalid credentials\n' });
    expect(unknown).toEqual(wrong);
    expect(missing).toEqual(wrong);
  });

  it('makes an address wait after repeated failures, without checking its password, then lets it in', async () => {
    const clock = new FakeClock();
    h = await startTestHub(
      `
server: { limits: { loginFreeFailures: 2 } }
stations:
  - { id: CP1, passwordHash: '${HASH}' }
`,
      { clock },
    );
    expect((await login(h.hub.ocppUrl, 'CP1', 'bad-1')).status).toBe(401);
    expect((await login(h.hub.ocppUrl, 'NOBODY', 'bad-2')).status).toBe(401);
    // Third failure: from now on the address waits 1 s, then 2 s, ...
    expect((await login(h.hub.ocppUrl, 'CP1', 'bad-3')).status).toBe(401);
    const waiting = await login(h.hub.ocppUrl, 'CP1', 'right-password-1');
    expect(waiting.status).toBe(429);
    expect(waiting.retryAfter).toBe('1');
    clock.advanceMs(1000);
    expect((await login(h.hub.ocppUrl, 'CP1', 'bad-4')).status).toBe(401);
    expect((await login(h.hub.ocppUrl, 'CP1', 'right-password-1')).retryAfter).toBe('2');
    clock.advanceMs(2000);
    expect((await login(h.hub.ocppUrl, 'CP1', 'right-password-1')).status).toBe(101);
    // A success clears the address.
    expect((await login(h.hub.ocppUrl, 'CP1', 'bad-5')).status).toBe(401);
  });
});

describe('TCP connection caps on the OCPP port', () => {
  let h: Harness | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await h?.stop();
  });

  it('closes idle connections from one address beyond the per-address cap, and takes new ones once some close', async () => {
    h = await startTestHub(`
server: { limits: { maxPendingPerAddress: 3 } }
stations:
  - { id: CP1, passwordHash: '${HASH}' }
`);
    const first = await Promise.all([1, 2, 3].map(() => idle(h!.hub.ocppPort)));
    sockets.push(...first.map((c) => c.socket));
    await untilConnections(h, 3);
    const extra = await idle(h.hub.ocppPort);
    sockets.push(extra.socket);
    await extra.closed;
    first[0]!.socket.destroy();
    await untilConnections(h, 2);
    expect((await login(h.hub.ocppUrl, 'CP1', 'right-password-1')).status).toBe(101);
  });

  it('closes connections beyond the total cap', async () => {
    h = await startTestHub(`
server: { limits: { maxConnections: 4, maxPendingPerAddress: 100 } }
`);
    const open = await Promise.all([1, 2, 3, 4].map(() => idle(h!.hub.ocppPort)));
    sockets.push(...open.map((c) => c.socket));
    await untilConnections(h, 4);
    const extra = await idle(h.hub.ocppPort);
    sockets.push(extra.socket);
    await extra.closed;
  });

  it('closes a connection that does not upgrade within the handshake timeout', async () => {
    const clock = new FakeClock();
    h = await startTestHub(`server: { limits: { handshakeTimeoutS: 10 } }`, { clock });
    const c = await idle(h.hub.ocppPort);
    sockets.push(c.socket);
    await untilConnections(h, 1);
    clock.advanceMs(10_000);
    await c.closed;
    await untilConnections(h, 0);
  });
});
