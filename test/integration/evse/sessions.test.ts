import { once as onceEvent, type EventEmitter } from 'node:events';
import { describe, it, expect, afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, ocppClient, boot16, type Harness } from '../../helpers/hub-harness.js';

const SITE = `
server: { pingIntervalS: 30 }
stations:
  - { id: CPA, securityProfile: 0 }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function once<T>(emitter: EventEmitter, ev: string): Promise<T> {
  return onceEvent(emitter, ev) as Promise<T>;
}

describe('station sessions', () => {
  it('a station that reconnects replaces its old session cleanly', async () => {
    h = await startTestHub(SITE);
    const first = ocppClient(h.hub.ocppUrl, 'CPA');
    await first.connect();
    const firstClosed = once<[{ code: number }]>(first, 'close');
    const second = ocppClient(h.hub.ocppUrl, 'CPA');
    await second.connect();
    const [{ code }] = await firstClosed;
    expect(code).toBe(4000);
    expect(h.hub.registry.size).toBe(1);
    expect(await second.call('BootNotification', boot16)).toMatchObject({ status: 'Accepted' });
    const stations = (await h.hub.api.inject({ method: 'GET', url: '/api/stations' })).json<{ stations: Array<{ stationId: string; connected: boolean }> }>();
    expect(stations.stations.find((s) => s.stationId === 'CPA')?.connected).toBe(true);
    await second.close();
  });

  it('drops a peer that stops answering pings', async () => {
    const clock = new FakeClock();
    h = await startTestHub(SITE, { clock });
    const ws = new WebSocket(`${h.hub.ocppUrl}/CPA`, ['ocpp1.6'], { autoPong: false });
    await once(ws, 'open');
    const pinged = once(ws, 'ping');
    clock.advanceMs(30_000);
    await pinged;
    const closed = once(ws, 'close');
    clock.advanceMs(30_000);
    await closed;
    expect(h.hub.registry.size).toBe(0);
  });

  it('keeps a peer that answers pings', async () => {
    const clock = new FakeClock();
    h = await startTestHub(SITE, { clock });
    const ws = new WebSocket(`${h.hub.ocppUrl}/CPA`, ['ocpp1.6']);
    await once(ws, 'open');
    const server = h.hub.registry.get('CPA');
    if (!server) throw new Error('no session');
    for (let i = 0; i < 3; i++) {
      // the pong travels back before the next ping is due: wait until the hub has seen it
      const ponged = once(server.socket, 'pong');
      clock.advanceMs(30_000);
      await ponged;
    }
    expect(h.hub.registry.get('CPA')).toBe(server);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('closes station sockets with 1001 when the hub stops', async () => {
    h = await startTestHub(SITE);
    const cp = ocppClient(h.hub.ocppUrl, 'CPA');
    await cp.connect();
    const closed = once<[{ code: number }]>(cp, 'close');
    await h.stop();
    h = undefined;
    const [{ code }] = await closed;
    expect(code).toBe(1001);
  });
});
