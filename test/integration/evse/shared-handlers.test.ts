import { describe, it, expect, afterEach, vi } from 'vitest';
import { RpcPeer } from '../../../src/ocpp/rpc-peer.js';
import { startTestHub, ocppClient, boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';

const SITE = `
stations:
  - { id: CP16A, securityProfile: 0 }
  - { id: CP16B, securityProfile: 0 }
  - { id: CP201A, securityProfile: 0 }
  - { id: CP201B, securityProfile: 0 }
`;

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.stop();
  h = undefined;
});

describe('station handlers', () => {
  it('are one table per OCPP version shared by every session: connecting a station registers no handlers of its own', async () => {
    const handle = vi.spyOn(RpcPeer.prototype, 'handle');
    const handleShared = vi.spyOn(RpcPeer.prototype, 'handleShared');
    h = await startTestHub(SITE);
    const stations = [
      { id: 'CP16A', version: '1.6' as const, boot: boot16 },
      { id: 'CP16B', version: '1.6' as const, boot: boot16 },
      { id: 'CP201A', version: '2.0.1' as const, boot: boot2x },
      { id: 'CP201B', version: '2.0.1' as const, boot: boot2x },
    ];
    const clients = stations.map((s) => ocppClient(h?.hub.ocppUrl ?? '', s.id, { version: s.version }));
    try {
      for (const [i, s] of stations.entries()) {
        const client = clients[i];
        if (!client) throw new Error('no client');
        await client.connect();
        // The shared handlers answer for the right station.
        expect(await client.call('BootNotification', s.boot)).toMatchObject({ status: 'Accepted' });
        expect(await client.call('Heartbeat', {})).toHaveProperty('currentTime');
      }
      const boots = await h.hub.api.inject({ method: 'GET', url: '/api/stations' });
      const listed = boots.json<{ stations: Array<{ stationId: string; connected: boolean }> }>().stations;
      for (const s of stations) expect(listed.find((l) => l.stationId === s.id)?.connected).toBe(true);

      expect(handle).not.toHaveBeenCalled();
      expect(handleShared).toHaveBeenCalledTimes(4);
      const tableOf = (id: string) => {
        const session = h?.hub.registry.get(id);
        const callArgs = handleShared.mock.calls.find(([, owner]) => owner === session);
        if (!callArgs) throw new Error(`no shared table for ${id}`);
        return callArgs[0];
      };
      expect(tableOf('CP16A')).toBe(tableOf('CP16B'));
      expect(tableOf('CP201A')).toBe(tableOf('CP201B'));
      expect(tableOf('CP16A')).not.toBe(tableOf('CP201A'));
    } finally {
      for (const c of clients) await c.close({ force: true });
    }
  });
});
