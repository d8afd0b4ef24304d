import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/store.js';
import { ocppClient, boot16 } from '../../helpers/hub-harness.js';
import { startHubProcess } from '../../helpers/hub-process.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('durability', () => {
  it('every transaction message the hub answered is in the store after a SIGKILL', { timeout: 240_000 }, async () => {
    const configPath = join(dir, 'site.yaml');
    writeFileSync(configPath, `data: { dir: ./data }\nstations:\n  - { id: CPK, securityProfile: 0 }\nauthorization:\n  list: [{ idToken: TAG }]\n`);
    const { child, url } = await startHubProcess(configPath);
    const cp = ocppClient(url, 'CPK');
    await cp.connect();
    await cp.call('BootNotification', boot16);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
    const answered: number[] = [];
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cp.on('close', () => undefined);
    for (let wh = 1; wh <= 500; wh++) {
      if (wh === 120) child.kill('SIGKILL');
      try {
        await cp.call('MeterValues', {
          connectorId: 1,
          transactionId: start.transactionId,
          meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register' }] }],
        });
        answered.push(wh);
      } catch {
        break;
      }
    }
    await exited;
    expect(answered.length).toBeGreaterThan(100);

    const store = openStore({ path: join(dir, 'data', 'switchyard.db') });
    try {
      const events = store.transactions.events('CPK', String(start.transactionId));
      const storedWh = new Set(events.flatMap((e) => e.meterValues.flatMap((mv) => mv.sampledValues.map((s) => s.value))));
      const missing = answered.filter((wh) => !storedWh.has(wh));
      expect(missing).toEqual([]);
      expect(events[0]?.eventType).toBe('Started');
    } finally {
      store.close();
    }

    // the hub starts again on the same data and the transaction is still active
    const again = await startHubProcess(configPath);
    const cp2 = ocppClient(again.url, 'CPK');
    await cp2.connect();
    await cp2.call('StopTransaction', { transactionId: start.transactionId, meterStop: 999, timestamp: new Date().toISOString() });
    await cp2.close();
    again.child.kill('SIGTERM');
    await new Promise((resolve) => again.child.once('exit', resolve));
    const store2 = openStore({ path: join(dir, 'data', 'switchyard.db') });
    try {
      expect(store2.transactions.get('CPK', String(start.transactionId))?.status).toBe('Ended');
    } finally {
      store2.close();
    }
  });
});
