import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16 } from '../../helpers/hub-harness.js';
import { useCsmsSite } from './csms-site.js';
import { linkState, proxyOf, proxySiteYaml, t0 } from './proxy-site.js';
import { SITE, charger, hubOf, hubSiteYaml, siteReady } from './hub-site.js';

/** rebootGraceS in both site configs. */
const GRACE_MS = 60_000;

const site = useCsmsSite();

async function startSite(mode: 'proxy' | 'hub'): Promise<RPCClient> {
  await site.start((csmsUrl) => (mode === 'proxy' ? proxySiteYaml({ csmsUrl }) : hubSiteYaml({ csmsUrl })));
  const cp = await charger(site.h, 'CP16', '1.6');
  site.clients.push(cp);
  if (mode === 'hub') await siteReady(site.h);
  await cp.call('BootNotification', boot16);
  if (mode === 'proxy') await linkState(site.h, 'CP16', '1.6', 'connected');
  return cp;
}

/** Lets the status reach the CSMS before the clock jumps (a call in flight would time out on the fake clock). */
async function delivered(mode: 'proxy' | 'hub', action: string): Promise<void> {
  await site.csms.until(() => site.csms.answered.some((c) => c.method === action));
  await (mode === 'proxy' ? proxyOf(site.h).station('CP16', '1.6').pump : hubOf(site.h).pump).whenIdle();
}

const active = (): unknown[] => site.h.hub.store.transactions.findActive('CP16');
const available = { connectorId: 1, errorCode: 'NoError', status: 'Available' };

describe.each(['proxy', 'hub'] as const)('%s mode: a connector that reports Available with no Stop', (mode) => {
  it('gets the grace time for its Stop, then its transaction is ended locally and upstream (no ghost)', async () => {
    const cp = await startSite(mode);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 10, timestamp: t0() })) as { transactionId: number };
    await cp.call('StatusNotification', available);
    await delivered(mode, 'StatusNotification');
    site.clock.advanceMs(GRACE_MS - 1);
    expect(active()).toHaveLength(1);
    site.clock.advanceMs(1);
    expect(active()).toEqual([]);
    expect(site.h.hub.store.transactions.get('CP16', String(start.transactionId))).toMatchObject({ status: 'Ended', stoppedReason: 'Other' });
    if (mode === 'proxy') {
      await site.csms.until(() => site.csms.answered.some((c) => c.method === 'StopTransaction'));
      expect(site.csms.of('CP16', 'StopTransaction').map((c) => [c.params['transactionId'], c.params['reason'], c.params['meterStop']])).toEqual([[5000, 'Other', 10]]);
    } else {
      await site.csms.until(() => site.csms.answered.some((c) => c.method === 'TransactionEvent' && c.params['eventType'] === 'Ended'));
      const ended = site.csms.of(SITE, 'TransactionEvent').filter((c) => c.params['eventType'] === 'Ended');
      expect(ended).toHaveLength(1);
      expect(ended[0]?.params['transactionInfo']).toMatchObject({ stoppedReason: 'Other' });
    }
    // The station's Stop after all is answered, and not sent again.
    await expect(cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 12, timestamp: t0() })).resolves.toEqual({});
    const stopsUpstream = (): number => (mode === 'proxy' ? site.csms.of('CP16', 'StopTransaction').length : site.csms.of(SITE, 'TransactionEvent').filter((c) => c.params['eventType'] === 'Ended').length);
    await cp.call('Heartbeat', {});
    expect(stopsUpstream()).toBe(1);
  });

  it('leaves the transaction alone when its Stop comes within the grace time', async () => {
    const cp = await startSite(mode);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 10, timestamp: t0() })) as { transactionId: number };
    await cp.call('StatusNotification', available);
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 20, timestamp: t0(), reason: 'EVDisconnected' });
    await delivered(mode, mode === 'proxy' ? 'StopTransaction' : 'TransactionEvent');
    site.clock.advanceMs(GRACE_MS);
    expect(site.h.hub.store.transactions.get('CP16', String(start.transactionId))).toMatchObject({ status: 'Ended', meterStopWh: 20 });
  });
});
