import { describe, expect, it } from 'vitest';
import { boot2x, ocppClient } from '../../helpers/hub-harness.js';
import { useHubSite } from './hub-site.js';
import { Inbox, bootedCharger } from './hub-blocks-helpers.js';

const site = useHubSite({ version: '2.1' });

const tariff = { tariffId: 'T1', currency: 'EUR' };

describe('hub mode on a 2.1 link: the 2.1 additions', () => {
  it('carries tariffs to the 2.1 charger of the EVSE, refuses them for a 1.6 EVSE, and answers the hub’s own 2.1 messages', async () => {
    const in16 = new Inbox();
    const in21 = new Inbox();
    const { h, server, clients } = site;
    clients.push(await bootedCharger(h, 'CP16', '1.6', in16));
    const c21 = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.1' });
    c21.handle(({ method, params }) => {
      in21.push(method ?? '', params as Record<string, unknown>);
      if (method === 'GetTariffs') return Promise.resolve({ status: 'Accepted', tariffAssignments: [{ tariffId: 'T1', tariffKind: 'DefaultTariff', evseIds: [1] }] });
      return Promise.resolve({ status: 'Accepted' });
    });
    await c21.connect();
    clients.push(c21);
    await c21.call('BootNotification', boot2x);
    await c21.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });

    await expect(server.call('SetDefaultTariff', { evseId: 2, tariff })).resolves.toEqual({ status: 'Accepted' });
    expect(in21.of('SetDefaultTariff')).toEqual([{ evseId: 1, tariff }]);
    await expect(server.call('SetDefaultTariff', { evseId: 1, tariff })).resolves.toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } });
    await expect(server.call('GetTariffs', { evseId: 2 })).resolves.toEqual({ status: 'Accepted', tariffAssignments: [{ tariffId: 'T1', tariffKind: 'DefaultTariff', evseIds: [2] }] });
    await expect(server.call('ChangeTransactionTariff', { transactionId: 'NOPE', tariff })).resolves.toMatchObject({ status: 'TxNotFound' });
    await expect(server.call('AFRRSignal', { timestamp: new Date().toISOString(), signal: 1 })).resolves.toMatchObject({ status: 'Rejected' });
    await expect(server.call('GetPeriodicEventStream', {})).resolves.toEqual({});
    await expect(server.call('RequestBatterySwap', { idToken: { idToken: 'A1', type: 'ISO14443' }, requestId: 1 })).resolves.toMatchObject({ status: 'Rejected' });
    expect(in16.calls.filter(([a]) => a !== 'StatusNotification')).toEqual([]);
  });
});
