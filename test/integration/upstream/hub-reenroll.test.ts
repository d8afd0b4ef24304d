import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { closed, t0 } from './proxy-site.js';
import { SITE, charger, hubOf, hubSiteYaml, siteReady, transactionEvents } from './hub-site.js';

let csms: StrictCsms;
let h: Harness;
const clients: RPCClient[] = [];

async function cp16(received: Array<[string, unknown]> = []): Promise<RPCClient> {
  const c = await charger(h, 'CP16', '1.6', received);
  clients.push(c);
  return c;
}

async function reboot(c: RPCClient): Promise<void> {
  const gone = closed(c);
  await c.close();
  await gone;
}

beforeEach(async () => {
  csms = new StrictCsms();
  await csms.start();
  h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url }), { clock: new FakeClock(Date.now()) });
  await siteReady(h);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

describe('hub mode when a charger reboots', () => {
  it('ends its open 1.6 transaction upstream once, and answers the charger’s late stop locally', async () => {
    const c = await cp16();
    await c.call('BootNotification', boot16);
    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await c.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: t0(), sampledValue: [{ value: '250' }] }] });
    await reboot(c);

    const fresh = await cp16();
    await fresh.call('BootNotification', boot16);
    await csms.until(() => transactionEvents(csms).some((e) => e.params['eventType'] === 'Ended'));
    await expect(fresh.call('StopTransaction', { transactionId: start.transactionId, meterStop: 300, timestamp: t0() })).resolves.toEqual({});
    await hubOf(h).pump.whenIdle();
    const events = transactionEvents(csms);
    expect(events.map((e) => [e.params['eventType'], e.params['seqNo']])).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    expect(events[2]?.params).toMatchObject({ triggerReason: 'AbnormalCondition', transactionInfo: { stoppedReason: 'Reboot' } });
    expect(h.hub.store.outbox.count(SITE)).toBe(0);
  });

  it('re-applies the availability the CSMS set on its EVSE after it boots again', async () => {
    const c = await cp16();
    await c.call('BootNotification', boot16);
    const server = await csms.client(SITE);
    await expect(server.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).resolves.toEqual({ status: 'Accepted' });
    await reboot(c);

    const received: Array<[string, unknown]> = [];
    const fresh = await cp16(received);
    const reapplied = new Promise<void>((resolve) => {
      fresh.handle('ChangeAvailability', async ({ params }) => {
        received.push(['ChangeAvailability', params]);
        resolve();
        return { status: 'Accepted' };
      });
    });
    await fresh.call('BootNotification', boot16);
    await reapplied;
    expect(received).toEqual([['ChangeAvailability', { connectorId: 1, type: 'Inoperative' }]]);
  });
});
