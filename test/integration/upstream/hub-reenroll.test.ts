import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16 } from '../../helpers/hub-harness.js';
import { closed, t0 } from './proxy-site.js';
import { SITE, charger, hubOf, transactionEvents, useHubSite } from './hub-site.js';

const site = useHubSite();

async function cp16(received: Array<[string, unknown]> = []): Promise<RPCClient> {
  const c = await charger(site.h, 'CP16', '1.6', received);
  site.clients.push(c);
  return c;
}

async function reboot(c: RPCClient): Promise<void> {
  const gone = closed(c);
  await c.close();
  await gone;
}

describe('hub mode when a charger reboots', () => {
  it('ends its open 1.6 transaction upstream once, and answers the charger’s late stop locally', async () => {
    const c = await cp16();
    await c.call('BootNotification', boot16);
    const start = (await c.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await c.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: t0(), sampledValue: [{ value: '250' }] }] });
    await reboot(c);

    const fresh = await cp16();
    await fresh.call('BootNotification', boot16);
    await site.csms.until(() => transactionEvents(site.csms).some((e) => e.params['eventType'] === 'Ended'));
    await expect(fresh.call('StopTransaction', { transactionId: start.transactionId, meterStop: 300, timestamp: t0() })).resolves.toEqual({});
    await hubOf(site.h).pump.whenIdle();
    const events = transactionEvents(site.csms);
    expect(events.map((e) => [e.params['eventType'], e.params['seqNo']])).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Ended', 2],
    ]);
    expect(events[2]?.params).toMatchObject({ triggerReason: 'AbnormalCondition', transactionInfo: { stoppedReason: 'Reboot' } });
    expect(site.h.hub.store.outbox.count(SITE)).toBe(0);
  });

  it('re-applies the availability the CSMS set on its EVSE after it boots again', async () => {
    const c = await cp16();
    await c.call('BootNotification', boot16);
    await expect(site.server.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } })).resolves.toEqual({ status: 'Accepted' });
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
