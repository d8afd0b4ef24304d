import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x } from '../../helpers/hub-harness.js';
import { meterValue16, t0, txEvent } from './proxy-site.js';
import { SITE, charger, hubOf, siteReady, transactionEvents, txIdOf, useHubSite } from './hub-site.js';

const site = useHubSite();

async function cp(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = await charger(site.h, id, version);
  site.clients.push(c);
  await c.call('BootNotification', version === '1.6' ? boot16 : boot2x);
  return c;
}

/** Stops the CSMS and waits until the hub noticed. */
async function outage(): Promise<void> {
  await site.csms.stop();
  await siteReady(site.h, false);
}

/** Starts the CSMS again on its port and lets the link's 1 s backoff run out. */
async function recover(): Promise<void> {
  await site.csms.start();
  site.clock.advanceMs(1000);
  await siteReady(site.h);
}

describe('hub mode through a CSMS outage', () => {
  it('keeps both chargers charging, then delivers every TransactionEvent once, in order, marked offline where it was', async () => {
    const a = await cp('CP16', '1.6');
    const b = await cp('CP201', '2.0.1');
    const first = (await a.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await a.call('MeterValues', { connectorId: 1, transactionId: first.transactionId, meterValue: [meterValue16(1)] });
    await b.call('TransactionEvent', txEvent('Started', 0, 'TX-B', 0));
    await site.csms.until(() => transactionEvents(site.csms).length === 3);

    await outage();
    for (const wh of [2, 3]) await a.call('MeterValues', { connectorId: 1, transactionId: first.transactionId, meterValue: [meterValue16(wh)] });
    await b.call('TransactionEvent', txEvent('Updated', 1, 'TX-B', 100));
    await a.call('StopTransaction', { transactionId: first.transactionId, meterStop: 4, timestamp: t0() });
    // A whole 1.6 transaction while the CSMS is away: the hub answers, from its local list.
    const offline = (await a.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 4, timestamp: t0() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(offline.idTagInfo.status).toBe('Accepted');
    await a.call('StopTransaction', { transactionId: offline.transactionId, meterStop: 9, timestamp: t0() });
    const ended = (await b.call('TransactionEvent', { ...txEvent('Ended', 2, 'TX-B', 200), idToken: { idToken: 'LOCAL1', type: 'ISO14443' } })) as { idTokenInfo?: { status: string } };
    expect(ended.idTokenInfo?.status).toBe('Accepted');
    // Unknown tokens follow the offline policy (Invalid); Authorize is never queued.
    await expect(a.call('Authorize', { idTag: 'STRANGER' })).resolves.toEqual({ idTagInfo: { status: 'Invalid' } });
    expect(site.h.hub.store.outbox.count(SITE)).toBe(7);
    const answeredWhileDown = (await site.h.hub.api.inject({ method: 'GET', url: '/api/upstream' })).json<{ links: Array<{ state: string; outboxDepth: number }> }>();
    expect(answeredWhileDown.links[0]).toMatchObject({ state: 'backoff', outboxDepth: 7 });

    await recover();
    await site.csms.until(() => transactionEvents(site.csms).length === 10);
    await hubOf(site.h).pump.whenIdle();
    const events = transactionEvents(site.csms);
    const tx1 = events[0] ? txIdOf(events[0]) : '';
    const tx2 = events.find((e) => e.params['eventType'] === 'Started' && txIdOf(e) !== tx1 && txIdOf(e) !== 'TX-B');
    const tx2Id = tx2 ? txIdOf(tx2) : 'missing';
    expect(events.map((e) => [txIdOf(e), e.params['seqNo'], e.params['offline'] ?? false])).toEqual([
      [tx1, 0, false],
      [tx1, 1, false],
      ['TX-B', 0, false],
      [tx1, 2, true],
      [tx1, 3, true],
      ['TX-B', 1, true],
      [tx1, 4, true],
      [tx2Id, 0, true],
      [tx2Id, 1, true],
      ['TX-B', 2, true],
    ]);
    expect(events.map((e) => e.params['eventType'])).toEqual(['Started', 'Updated', 'Started', 'Updated', 'Updated', 'Updated', 'Ended', 'Started', 'Ended', 'Ended']);
    expect(site.h.hub.store.outbox.count()).toBe(0);
  });

  it('queues new messages behind the replay: nothing overtakes what was queued before it', async () => {
    const b = await cp('CP201', '2.0.1');
    await outage();
    await b.call('TransactionEvent', txEvent('Started', 0, 'TX-Q', 0));
    await b.call('TransactionEvent', txEvent('Updated', 1, 'TX-Q', 10));
    await site.csms.start();
    site.clock.advanceMs(1000);
    // Sent while the boot and the replay may be running.
    await b.call('TransactionEvent', txEvent('Ended', 2, 'TX-Q', 20));
    await site.csms.until(() => transactionEvents(site.csms).length === 3);
    expect(transactionEvents(site.csms).map((e) => e.params['seqNo'])).toEqual([0, 1, 2]);
    // The site booted once: a reconnect is not a reboot.
    expect(site.csms.of(SITE, 'BootNotification')).toHaveLength(1);
  });
});
