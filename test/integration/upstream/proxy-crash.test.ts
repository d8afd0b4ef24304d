import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x, ocppClient } from '../../helpers/hub-harness.js';
import { StrictCsms } from './strict-csms.js';
import { meterValue16, t0, txEvent } from './proxy-site.js';
import { startHubProcess } from '../../helpers/hub-process.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-upstream-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function seqNos(csms: StrictCsms, transactionId: string): number[] {
  return csms
    .of('CP201', 'TransactionEvent')
    .filter((c) => (c.params['transactionInfo'] as { transactionId: string }).transactionId === transactionId)
    .map((c) => Number(c.params['seqNo']));
}

describe('proxy mode and a hub crash during a CSMS outage', () => {
  it('loses and duplicates nothing the hub answered: the outbox is replayed after a SIGKILL and restart', { timeout: 240_000 }, async () => {
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
  mode: proxy
  url: ${csms.url}
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
    await cp16.call('BootNotification', boot16);
    await cp201.call('BootNotification', boot2x);
    const start = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 0, timestamp: t0() })) as { transactionId: number };
    await cp201.call('TransactionEvent', txEvent('Started', 0, 'TX-K', 0));

    await csms.stop();
    const answered16: number[] = [];
    for (let wh = 1; wh <= 20; wh++) {
      await cp16.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [meterValue16(wh)] });
      answered16.push(wh);
    }
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

    // The CSMS comes back, then the hub: its outbox drains without any station reconnecting.
    await csms.start();
    const again = await startHubProcess(configPath);
    try {
      await csms.until(() => csms.of('CP16', 'StopTransaction').length === 1 && answered201.every((s) => seqNos(csms, 'TX-K').includes(s)));
      const received = seqNos(csms, 'TX-K');
      expect(received.slice(0, answered201.length + 1)).toEqual([0, ...answered201]);
      expect(new Set(received).size).toBe(received.length);
      const mv = csms.of('CP16', 'MeterValues');
      expect(mv.map((c) => Number((c.params['meterValue'] as Array<{ sampledValue: Array<{ value: string }> }>)[0]?.sampledValue[0]?.value))).toEqual(answered16);
      expect(new Set(mv.map((c) => c.params['transactionId']))).toEqual(new Set([5000]));
      expect(csms.of('CP16', 'StopTransaction')[0]?.params['transactionId']).toBe(5000);
      expect(csms.of('CP16', 'StartTransaction')).toHaveLength(1);
    } finally {
      again.child.kill('SIGTERM');
      await new Promise((resolve) => again.child.once('exit', resolve));
      await csms.stop();
    }
  });
});
