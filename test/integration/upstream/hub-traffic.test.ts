import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { UpstreamView } from '../../../src/upstream/upstream.js';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { proxySiteYaml, txEvent } from './proxy-site.js';
import { hubOf, hubSiteYaml, siteReady } from './hub-site.js';

interface Measured {
  framesOut: number;
  wireBytesOut: number;
  wireBytesIn: number;
  transactionEventsAtCsms: number;
}

const SAMPLES = 30;
const SAMPLE_EVERY_MS = 10_000;

/** One 1.6 and one 2.0.1 session (30 periodic samples each, 10 s apart) through a hub; the upstream traffic over all links. */
async function sessions(mode: 'proxy' | 'hub', batchWindowS = 0): Promise<Measured> {
  const csms = new StrictCsms({ passwords: {} });
  await csms.start();
  const clock = new FakeClock(Date.parse('2025-03-03T10:00:00Z'));
  const yaml = mode === 'proxy' ? proxySiteYaml({ csmsUrl: csms.url }) : hubSiteYaml({ csmsUrl: csms.url, batchWindowS });
  const h: Harness = await startTestHub(yaml, { clock });
  const cp16 = ocppClient(h.hub.ocppUrl, 'CP16');
  const cp201 = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
  try {
    if (mode === 'hub') await siteReady(h);
    await cp16.connect();
    await cp201.connect();
    await cp16.call('BootNotification', boot16);
    await cp201.call('BootNotification', boot2x);
    const at = (): string => new Date(clock.nowMs()).toISOString();
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: at() });
    const start = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: at() })) as { transactionId: number };
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: at() });
    await cp201.call('StatusNotification', { timestamp: at(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await cp201.call('TransactionEvent', txEvent('Started', 0, 'TX-T', 0));
    for (let i = 1; i <= SAMPLES; i++) {
      clock.advanceMs(SAMPLE_EVERY_MS);
      await cp16.call('MeterValues', {
        connectorId: 1,
        transactionId: start.transactionId,
        meterValue: [{ timestamp: at(), sampledValue: [{ value: String(i * 30), measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', unit: 'Wh' }] }],
      });
      await cp201.call('TransactionEvent', txEvent('Updated', i, 'TX-T', i * 30));
    }
    await cp16.call('StopTransaction', { transactionId: start.transactionId, meterStop: SAMPLES * 30 + 5, timestamp: at() });
    await cp16.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at() });
    await cp201.call('TransactionEvent', txEvent('Ended', SAMPLES + 1, 'TX-T', SAMPLES * 30 + 5));
    await cp201.call('StatusNotification', { timestamp: at(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    const expected = mode === 'proxy' ? 1 + SAMPLES + 1 : undefined;
    if (mode === 'hub') {
      // The last message queued: the 2.0.1 charger's EVSE (upstream 2) Available again.
      await csms.until(() => csms.of('SITE1', 'StatusNotification').some((s) => s.params['evseId'] === 2 && s.params['connectorStatus'] === 'Available'));
      await hubOf(h).pump.whenIdle();
      expect(h.hub.store.outbox.count()).toBe(0);
    } else {
      await csms.until(() => csms.of('CP16', 'StopTransaction').length === 1 && (expected === undefined || csms.of('CP201', 'TransactionEvent').length === expected));
    }
    const view = (await h.hub.api.inject({ method: 'GET', url: '/api/upstream' })).json<UpstreamView>();
    const total = view.traffic.reduce(
      (sum, d) => ({ framesOut: sum.framesOut + d.total.framesOut, wireBytesOut: sum.wireBytesOut + d.total.wireBytesOut, wireBytesIn: sum.wireBytesIn + d.total.wireBytesIn }),
      { framesOut: 0, wireBytesOut: 0, wireBytesIn: 0 },
    );
    const transactionEventsAtCsms = csms.calls.filter((c) => c.method === 'TransactionEvent' || c.method === 'MeterValues' || c.method === 'StartTransaction' || c.method === 'StopTransaction').length;
    return { ...total, transactionEventsAtCsms };
  } finally {
    await cp16.close({ force: true });
    await cp201.close({ force: true });
    await h.stop();
    await csms.stop();
  }
}

describe('hub mode upstream traffic', () => {
  it('sends fewer frames than proxy mode for the same sessions, and far fewer with periodic samples batched', async () => {
    const proxy = await sessions('proxy');
    const hub = await sessions('hub');
    const batched = await sessions('hub', 60);
    console.info(JSON.stringify({ proxy, hub, batched }));
    // Proxy: two boots and every status; hub: one boot, statuses only when the 2.x status changes.
    expect(hub.framesOut).toBeLessThan(proxy.framesOut);
    // The 1.6 charger's 30 samples, 10 s apart, go up as 5 batched TransactionEvents (60 s window) instead of 30.
    expect(hub.framesOut - batched.framesOut).toBe(SAMPLES - SAMPLES / 6);
    expect(batched.wireBytesOut).toBeLessThan(hub.wireBytesOut);
  });
});

describe('hub mode sample batching', () => {
  it('sends held-back periodic samples as one TransactionEvent when the window ends on the clock', async () => {
    const csms = new StrictCsms();
    await csms.start();
    const clock = new FakeClock(Date.parse('2025-03-03T10:00:00Z'));
    const h = await startTestHub(hubSiteYaml({ csmsUrl: csms.url, batchWindowS: 60 }), { clock });
    const cp16 = ocppClient(h.hub.ocppUrl, 'CP16');
    try {
      await siteReady(h);
      await cp16.connect();
      await cp16.call('BootNotification', boot16);
      const at = (): string => new Date(clock.nowMs()).toISOString();
      const start = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: at() })) as { transactionId: number };
      for (const wh of [10, 20]) {
        clock.advanceMs(SAMPLE_EVERY_MS);
        await cp16.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: at(), sampledValue: [{ value: String(wh) }] }] });
      }
      await csms.until(() => csms.of('SITE1', 'TransactionEvent').length === 1);
      expect(h.hub.store.outbox.count()).toBe(0);
      clock.advanceMs(60_000);
      await csms.until(() => csms.of('SITE1', 'TransactionEvent').length === 2);
      const batch = csms.of('SITE1', 'TransactionEvent')[1]?.params;
      expect(batch).toMatchObject({ eventType: 'Updated', triggerReason: 'MeterValuePeriodic', seqNo: 1 });
      expect((batch?.['meterValue'] as unknown[]).length).toBe(2);
    } finally {
      await cp16.close({ force: true });
      await h.stop();
      await csms.stop();
    }
  });
});
