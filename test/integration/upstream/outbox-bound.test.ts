import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x } from '../../helpers/hub-harness.js';
import { useCsmsSite } from './csms-site.js';
import type { Received } from './strict-csms.js';
import { linkState, meterValue16, proxySiteYaml, t0, txEvent } from './proxy-site.js';
import { SITE, charger, hubSiteYaml, siteReady, txIdOf } from './hub-site.js';

/** A bound of 30 kB of stored messages: an outage of a few hundred readings goes past it. */
const BOUND = '  outboxMaxMB: 0.03\n';
const READINGS = 150;

const site = useCsmsSite();

async function bootedCharger(id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> {
  const c = await charger(site.h, id, version);
  site.clients.push(c);
  await c.call('BootNotification', version === '1.6' ? boot16 : boot2x);
  return c;
}

/** Readings one simulated minute apart from 2026-01-01, so that the CSMS's copies can be compared by timestamp. */
const at = (wh: number): string => new Date(Date.UTC(2026, 0, 1) + wh * 60_000).toISOString();
const reading16 = (wh: number): ReturnType<typeof meterValue16> => meterValue16(wh, at(wh));
const event2x = (eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, transactionId: string, wh: number): Record<string, unknown> => txEvent(eventType, seqNo, transactionId, wh, at(wh));

/** Two 1.6 transactions and one 2.0.1 transaction, all while the CSMS is away. */
async function chargeThroughOutage(cp16: RPCClient, cp201: RPCClient): Promise<void> {
  for (const round of [0, 1]) {
    const start = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: round * 1000, timestamp: t0() })) as { transactionId: number };
    for (let i = 1; i <= READINGS; i++) await cp16.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [reading16(round * 1000 + i)] });
    await cp16.call('StopTransaction', { transactionId: start.transactionId, meterStop: round * 1000 + READINGS + 1, timestamp: t0() });
  }
  await cp201.call('TransactionEvent', event2x('Started', 0, 'TX-B', 0));
  for (let i = 1; i <= READINGS; i++) await cp201.call('TransactionEvent', event2x('Updated', i, 'TX-B', i));
  await cp201.call('TransactionEvent', event2x('Ended', READINGS + 1, 'TX-B', READINGS + 1));
}

interface OutboxView {
  outboxDepth: number;
  outbox: { rows: number; payloadBytes: number; boundBytes: number; pressure: string; compactions: number; rowsMerged: number; statusesDropped: number };
}

async function upstreamView(): Promise<OutboxView> {
  return (await site.h.hub.api.inject({ method: 'GET', url: '/api/upstream' })).json<OutboxView>();
}

const readingsOf = (calls: readonly Received[]): unknown[] => calls.flatMap((c) => (c.params['meterValue'] as Array<{ timestamp: string }> | undefined) ?? []).map((mv) => mv.timestamp);

describe('an outage that reaches the outbox bound', () => {
  it('hub mode: periodic readings are merged, no Started/Ended is dropped and the CSMS sees seqNo 0, 1, 2, ... with every reading', { timeout: 120_000 }, async () => {
    await site.start((csmsUrl) => hubSiteYaml({ csmsUrl, extra: BOUND }));
    await siteReady(site.h);
    const cp16 = await bootedCharger('CP16', '1.6');
    const cp201 = await bootedCharger('CP201', '2.0.1');
    await site.csms.stop();
    await siteReady(site.h, false);

    await chargeThroughOutage(cp16, cp201);
    const during = await upstreamView();
    expect(during.outbox.compactions).toBeGreaterThan(0);
    expect(during.outbox.rowsMerged).toBeGreaterThan(0);
    expect(during.outbox.statusesDropped).toBe(0);
    expect(during.outboxDepth).toBeLessThan(3 * (READINGS + 2));
    const metrics = (await site.h.hub.api.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/switchyard_outbox_compacted_total\{kind="merged"\} [1-9]/);
    expect(metrics).toMatch(/switchyard_outbox_bytes\{kind="bound"\} 30000/);

    await site.csms.start();
    site.clock.advanceMs(1000);
    const events = (): Received[] => site.csms.answered.filter((c) => c.identity === SITE && c.method === 'TransactionEvent');
    await site.csms.until(() => events().filter((e) => e.params['eventType'] === 'Ended').length === 3);
    const byTx = new Map<string, Received[]>();
    for (const e of events()) byTx.set(txIdOf(e), [...(byTx.get(txIdOf(e)) ?? []), e]);
    expect(byTx.size).toBe(3);
    for (const [, list] of byTx) {
      expect(list.map((e) => e.params['seqNo'])).toEqual(list.map((_, i) => i));
      expect(list[0]?.params['eventType']).toBe('Started');
      expect(list.at(-1)?.params['eventType']).toBe('Ended');
      // Every reading arrived, once, in order: Started, the readings, Ended.
      expect(readingsOf(list.filter((e) => e.params['eventType'] === 'Updated'))).toHaveLength(READINGS);
    }
    // Fewer messages than readings: some were merged (how many depends on when the checks ran).
    expect(events().filter((e) => e.params['eventType'] === 'Updated').length).toBeLessThan(3 * READINGS);
    expect(readingsOf(byTx.get('TX-B') ?? [])).toEqual(Array.from({ length: READINGS + 2 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()));
  });

  it('proxy mode: no StartTransaction/StopTransaction or 2.x Started/Ended is dropped, readings are merged, seqNos stay continuous', { timeout: 120_000 }, async () => {
    await site.start((csmsUrl) => proxySiteYaml({ csmsUrl, extra: BOUND }));
    const cp16 = await bootedCharger('CP16', '1.6');
    const cp201 = await bootedCharger('CP201', '2.0.1');
    await site.csms.stop();
    await linkState(site.h, 'CP16', '1.6', 'backoff');
    await linkState(site.h, 'CP201', '2.0.1', 'backoff');

    await chargeThroughOutage(cp16, cp201);
    const during = await upstreamView();
    expect(during.outbox.rowsMerged).toBeGreaterThan(0);

    await site.csms.start();
    site.clock.advanceMs(1000);
    await site.csms.until(() => site.csms.answered.filter((c) => c.method === 'StopTransaction').length === 2 && site.csms.answered.some((c) => c.method === 'TransactionEvent' && c.params['eventType'] === 'Ended'));
    expect(site.csms.of('CP16', 'StartTransaction')).toHaveLength(2);
    const stops = site.csms.of('CP16', 'StopTransaction');
    expect(stops).toHaveLength(2);
    for (const stop of stops) {
      const mv = site.csms.of('CP16', 'MeterValues').filter((c) => c.params['transactionId'] === stop.params['transactionId']);
      expect(readingsOf(mv)).toHaveLength(READINGS);
    }
    expect(site.csms.of('CP16', 'MeterValues').length + site.csms.of('CP201', 'TransactionEvent').length).toBeLessThan(3 * READINGS + 2);
    const tx = site.csms.of('CP201', 'TransactionEvent');
    expect(tx.map((c) => c.params['seqNo'])).toEqual(tx.map((_, i) => i));
    expect(tx[0]?.params['eventType']).toBe('Started');
    expect(tx.at(-1)?.params['eventType']).toBe('Ended');
    expect(readingsOf(tx)).toHaveLength(READINGS + 2);
  });
});
