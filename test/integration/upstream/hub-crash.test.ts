import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x, ocppClient } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { meterValue16, t0, txEvent } from './proxy-site.js';
import { SITE, transactionEvents, txIdOf } from './hub-site.js';
import { startHubProcess } from '../../helpers/hub-process.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-hub-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('hub mode and a hub crash during a CSMS outage', () => {
  it('loses and duplicates no TransactionEvent the hub answered: the outbox and the seqNo state survive a SIGKILL', { timeout: 240_000 }, async () => {
    const csms = new StrictCsms();
    await csms.start();
    const configPath = join(dir, 'site.yaml');
    writeFileSync(
      configPath,
      `data: { dir: ./data }
server: { pingIntervalS: 0 }
stations:
  - { id: CP16, securityProfile: 0 }
  - { id: CP201, securityProfile: 0 }
authorization:
  list: [{ idToken: LOCAL1 }]
upstream:
  mode: hub
  url: ${csms.url}
  identity: ${SITE}
  pingIntervalS: 0
  reconnect: { initialDelayS: 0.2, maxDelayS: 0.5 }
`,
    );
    const hub = await startHubProcess(configPath);
    const cp16 = ocppClient(hub.url, 'CP16');
    const cp201 = ocppClient(hub.url, 'CP201', { version: '2.0.1' });
    const clients: RPCClient[] = [cp16, cp201];
    for (const c of clients) {
      c.on('close', () => undefined);
      await c.connect();
    }
    await csms.until(() => csms.of(SITE, 'BootNotification').length === 1);
    await cp16.call('BootNotification', boot16);
    await cp201.call('BootNotification', boot2x);
    const start = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await cp201.call('TransactionEvent', txEvent('Started', 0, 'TX-K', 0));
    await csms.until(() => transactionEvents(csms).length === 2);
    const tx16 = transactionEvents(csms)[0];
    const tx16Id = tx16 ? txIdOf(tx16) : 'missing';

    await csms.stop();
    for (let wh = 1; wh <= 20; wh++) await cp16.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [meterValue16(wh)] });
    await cp16.call('StopTransaction', { transactionId: start.transactionId, meterStop: 21, timestamp: t0() });

    const answered201: number[] = [];
    const exited = new Promise((resolve) => hub.child.once('exit', resolve));
    for (let seqNo = 1; seqNo <= 400; seqNo++) {
      if (seqNo === 40) hub.child.kill('SIGKILL');
      try {
        await cp201.call('TransactionEvent', txEvent('Updated', seqNo, 'TX-K', seqNo));
        answered201.push(seqNo);
      } catch {
        break;
      }
    }
    await exited;
    expect(answered201.length).toBeGreaterThan(30);
    for (const c of clients) await c.close({ force: true });

    // The CSMS comes back, then the hub: it boots the site again and drains its outbox without any charger reconnecting.
    await csms.start();
    const again = await startHubProcess(configPath);
    const of = (id: string): Array<{ seqNo: number; offline: boolean; eventType: unknown }> =>
      transactionEvents(csms)
        .filter((e) => txIdOf(e) === id)
        .map((e) => ({ seqNo: Number(e.params['seqNo']), offline: e.params['offline'] === true, eventType: e.params['eventType'] }));
    try {
      await csms.until(() => of(tx16Id).length === 22 && answered201.every((s) => of('TX-K').some((e) => e.seqNo === s)));
      // The 1.6 transaction: Started live, 20 Updated and the Ended while the CSMS was away, seqNo 0..21.
      expect(of(tx16Id).map((e) => e.seqNo)).toEqual(Array.from({ length: 22 }, (_, i) => i));
      expect(of(tx16Id).map((e) => e.offline)).toEqual([false, ...Array.from({ length: 21 }, () => true)]);
      expect(of(tx16Id).at(-1)?.eventType).toBe('Ended');
      // The 2.0.1 transaction: everything answered arrives once, in order (one more may have been written but not answered).
      const received = of('TX-K').map((e) => e.seqNo);
      expect(received.slice(0, answered201.length + 1)).toEqual([0, ...answered201]);
      expect(new Set(received).size).toBe(received.length);
      expect(csms.of(SITE, 'BootNotification')).toHaveLength(2);
    } finally {
      again.child.kill('SIGTERM');
      await new Promise((resolve) => again.child.once('exit', resolve));
      await csms.stop();
    }
  });
});
