import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../../src/evse/password.js';
import { startTestHub, ocppClient, boot16, type Harness } from '../../helpers/hub-harness.js';
import { makeCa, makeClientCert, makeServerCert, type Pem } from '../../helpers/test-pki.js';

async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: number }).code;
  }
  throw new Error('expected the connection to be refused');
}

describe('security profile 1 (HTTP Basic over ws)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startTestHub(`
stations:
  - { id: CP1, securityProfile: 1, passwordHash: '${hashPassword('right-password-1')}' }
`);
  });
  afterAll(async () => h.stop());

  it('admits a station with the right password', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP1', { password: 'right-password-1' });
    await cp.connect();
    expect(await cp.call('BootNotification', boot16)).toMatchObject({ status: 'Accepted' });
    await cp.close();
  });

  it('refuses a wrong password with 401 before the upgrade', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'CP1', { password: 'wrong-password' }).connect())).toBe(401);
  });

  it('refuses a station without credentials with 401', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'CP1').connect())).toBe(401);
  });

  it('refuses an unknown station with 401', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'NOT-CONFIGURED', { password: 'right-password-1' }).connect())).toBe(401);
  });

  it('refuses a connection offering no OCPP subprotocol it speaks with 400', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${h.hub.ocppUrl}/CP1`, ['ocpp1.5']);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(400);
  });

  it('refuses a path outside the OCPP prefix with 404', async () => {
    const { WebSocket } = await import('ws');
    const url = h.hub.ocppUrl.replace('/ocpp', '/other');
    const ws = new WebSocket(`${url}/CP1`, ['ocpp1.6']);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});

describe('security profiles 2 and 3 (TLS)', () => {
  let h: Harness;
  let dir: string;
  let ca: Pem;
  let stationCert: Pem;
  let wrongCnCert: Pem;
  let rogueCert: Pem;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-tls-'));
    ca = await makeCa();
    const server = await makeServerCert(ca);
    stationCert = await makeClientCert(ca, 'CP3');
    wrongCnCert = await makeClientCert(ca, 'SOMEONE-ELSE');
    rogueCert = await makeClientCert(await makeCa('Rogue CA'), 'CP3');
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    writeFileSync(join(dir, 'server.pem'), server.cert);
    writeFileSync(join(dir, 'server.key'), server.key);
    h = await startTestHub(
      `
server:
  tls: { certFile: server.pem, keyFile: server.key, caFile: ca.pem }
stations:
  - { id: CP2, securityProfile: 2, passwordHash: '${hashPassword('tls-password-2')}' }
  - { id: CP3, securityProfile: 3 }
`,
      { dir },
    );
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves wss', () => {
    expect(h.hub.ocppUrl.startsWith('wss://')).toBe(true);
  });

  it('admits a profile 2 station with TLS and the right password', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP2', { password: 'tls-password-2', wsOpts: { ca: ca.cert } });
    await cp.connect();
    expect(await cp.call('BootNotification', boot16)).toMatchObject({ status: 'Accepted' });
    await cp.close();
  });

  it('refuses a profile 2 station with a wrong password', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'CP2', { password: 'nope', wsOpts: { ca: ca.cert } }).connect())).toBe(401);
  });

  it('admits a profile 3 station whose certificate is signed by the CA and names it', async () => {
    const cp = ocppClient(h.hub.ocppUrl, 'CP3', { wsOpts: { ca: ca.cert, cert: stationCert.cert, key: stationCert.key } });
    await cp.connect();
    expect(await cp.call('BootNotification', boot16)).toMatchObject({ status: 'Accepted' });
    await cp.close();
  });

  it('refuses a profile 3 station whose certificate names another station', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'CP3', { wsOpts: { ca: ca.cert, cert: wrongCnCert.cert, key: wrongCnCert.key } }).connect())).toBe(401);
  });

  it('refuses a profile 3 station whose certificate comes from another CA', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'CP3', { wsOpts: { ca: ca.cert, cert: rogueCert.cert, key: rogueCert.key } }).connect())).toBe(401);
  });

  it('refuses a profile 3 station without a certificate', async () => {
    expect(await refusal(ocppClient(h.hub.ocppUrl, 'CP3', { wsOpts: { ca: ca.cert } }).connect())).toBe(401);
  });
});
