import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DownstreamServer, type AcceptedConnection } from '../../../src/evse/downstream-server.js';
import { stationConfigSchema } from '../../../src/config/schema.js';
import { hashPassword, verifyPassword } from '../../../src/evse/password.js';
import { silentLogger } from '../../../src/util/logger.js';

/** Opens a WebSocket; resolves with the chosen subprotocol, or the refusal's HTTP status. */
function open(url: string, protocols: string[], headers: Record<string, string> = {}): Promise<{ protocol?: string; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => {
      resolve({ protocol: ws.protocol });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('WebSocket upgrade', () => {
  let server: DownstreamServer;
  let base: string;
  const accepted: AcceptedConnection[] = [];
  // A hash the config loader would refuse (N is not a power of two): built here to reach the handler.
  const goodHash = hashPassword('pw-12345');
  const badHash = goodHash.replace('$16384$', '$16385$');

  beforeAll(async () => {
    server = new DownstreamServer({
      host: '127.0.0.1',
      port: 0,
      pathPrefix: '/ocpp',
      stations: [
        stationConfigSchema.parse({ id: 'OPEN', securityProfile: 0 }),
        { ...stationConfigSchema.parse({ id: 'GOOD', passwordHash: goodHash }) },
        { ...stationConfigSchema.parse({ id: 'TYPO', passwordHash: goodHash }), passwordHash: badHash },
      ],
      admitUnknownStations: false,
      maxFrameBytes: 65536,
      log: silentLogger(),
      onConnection: (conn) => {
        accepted.push(conn);
        if (conn.stationId === 'OPEN' && conn.subprotocol === 'ocpp2.1') throw new Error('set-up failure');
      },
    });
    base = (await server.listen()).url;
  });
  afterAll(async () => server.close());

  it.each([
    [['ocpp2.0.1', 'ocpp1.6'], 'ocpp2.0.1'],
    [['ocpp1.6', 'ocpp2.0.1'], 'ocpp1.6'],
    [['ocpp9.9', 'ocpp1.6', 'ocpp2.0.1'], 'ocpp1.6'],
  ])("follows the station's order of preference %j -> %s", async (offered, chosen) => {
    expect(await open(`${base}/OPEN`, offered)).toEqual({ protocol: chosen });
  });

  it('refuses a station whose configured hash has unusable scrypt parameters, and keeps serving', async () => {
    expect(() => verifyPassword('pw-12345', badHash)).not.toThrow();
    expect(await open(`${base}/TYPO`, ['ocpp1.6'], basic('TYPO', 'pw-12345'))).toEqual({ status: 401 });
    expect(await open(`${base}/GOOD`, ['ocpp1.6'], basic('GOOD', 'pw-12345'))).toEqual({ protocol: 'ocpp1.6' });
  });

  it('closes a connection whose set-up fails, and keeps serving', async () => {
    const ws = new WebSocket(`${base}/OPEN`, ['ocpp2.1']);
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1011);
    expect(await open(`${base}/OPEN`, ['ocpp1.6'])).toEqual({ protocol: 'ocpp1.6' });
  });
});
