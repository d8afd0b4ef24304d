import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms, type CsmsClient } from './strict-csms.js';
import { SITE, hubSiteYaml, siteReady } from './hub-site.js';
import { Inbox, bootedCharger } from './hub-blocks-helpers.js';

let csms: StrictCsms;
let h: Harness;
let server: CsmsClient;
const clients: RPCClient[] = [];

beforeEach(async () => {
  csms = new StrictCsms({ passwords: { [SITE]: 'pw-site' } });
  await csms.start();
  h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url, version: '2.1' }), { clock: new FakeClock(Date.now()) });
  await siteReady(h);
  server = await csms.client(SITE);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

const tariff = { tariffId: 'T1', currency: 'EUR' };

describe('hub mode on a 2.1 link: the 2.1 additions', () => {
  it('carries tariffs to the 2.1 charger of the EVSE, refuses them for a 1.6 EVSE, and answers the hub’s own 2.1 messages', async () => {
    const in16 = new Inbox();
    const in21 = new Inbox();
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
