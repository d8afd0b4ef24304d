import { afterEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { linkState, proxyOf, proxySiteYaml, t0 } from './proxy-site.js';
import { SITE, charger, hubOf, hubSiteYaml, siteReady } from './hub-site.js';

/** rebootGraceS in both site configs. */
const GRACE_MS = 60_000;

let csms: StrictCsms;
let h: Harness;
let clock: FakeClock;
const clients: RPCClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close({ force: true });
  await h.stop();
  await csms.stop();
});

async function site(mode: 'proxy' | 'hub'): Promise<RPCClient> {
  csms = new StrictCsms();
  await csms.start();
  clock = new FakeClock(Date.now());
  h = await startTestHub(mode === 'proxy' ? proxySiteYaml({ csmsUrl: csms.url }) : hubSiteYaml({ csmsUrl: csms.url }), { clock });
  const cp = await charger(h, 'CP16', '1.6');
  clients.push(cp);
  if (mode === 'hub') await siteReady(h);
  await cp.call('BootNotification', boot16);
  if (mode === 'proxy') await linkState(h, 'CP16', '1.6', 'connected');
  return cp;
}

/** Lets the status reach the CSMS before the clock jumps (a call in flight would time out on the fake clock). */
async function delivered(mode: 'proxy' | 'hub', action: string): Promise<void> {
  await csms.until(() => csms.answered.some((c) => c.method === action));
  await (mode === 'proxy' ? proxyOf(h).station('CP16', '1.6').pump : hubOf(h).pump).whenIdle();
}

const active = (): unknown[] => h.hub.store.transactions.findActive('CP16');
const available = { connectorId: 1, errorCode: 'NoError', status: 'Available' };

describe.each(['proxy', 'hub'] as const)('%s mode: a connector that reports Available with no Stop', (mode) => {
  it('gets the grace time for its Stop, then its transaction is ended locally and upstream (no ghost)', async () => {
    const cp = await site(mode);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 10, timestamp: t0() })) as { transactionId: number };
    await cp.call('StatusNotification', available);
    await delivered(mode, 'StatusNotification');
    clock.advanceMs(GRACE_MS - 1);
    expect(active()).toHaveLength(1);
    clock.advanceMs(1);
    expect(active()).toEqual([]);
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))).toMatchObject({ status: 'Ended', stoppedReason: 'Other' });
    if (mode === 'proxy') {
      await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
      expect(csms.of('CP16', 'StopTransaction').map((c) => [c.params['transactionId'], c.params['reason'], c.params['meterStop']])).toEqual([[5000, 'Other', 10]]);
    } else {
      await csms.until(() => csms.answered.some((c) => c.method === 'TransactionEvent' && c.params['eventType'] === 'Ended'));
      const ended = csms.of(SITE, 'TransactionEvent').filter((c) => c.params['eventType'] === 'Ended');
      expect(ended).toHaveLength(1);
      expect(ended[0]?.params['transactionInfo']).toMatchObject({ stoppedReason: 'Other' });
    }
    // The station's Stop after all is answered, and not sent again.
    await expect(cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 12, timestamp: t0() })).resolves.toEqual({});
    const stopsUpstream = (): number => (mode === 'proxy' ? csms.of('CP16', 'StopTransaction').length : csms.of(SITE, 'TransactionEvent').filter((c) => c.params['eventType'] === 'Ended').length);
    await cp.call('Heartbeat', {});
    expect(stopsUpstream()).toBe(1);
  });

  it('leaves the transaction alone when its Stop comes within the grace time', async () => {
    const cp = await site(mode);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 10, timestamp: t0() })) as { transactionId: number };
    await cp.call('StatusNotification', available);
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 20, timestamp: t0(), reason: 'EVDisconnected' });
    await delivered(mode, mode === 'proxy' ? 'StopTransaction' : 'TransactionEvent');
    clock.advanceMs(GRACE_MS);
    expect(h.hub.store.transactions.get('CP16', String(start.transactionId))).toMatchObject({ status: 'Ended', meterStopWh: 20 });
  });
});
