import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/store.js';
import { ocppClient, boot16 } from '../../helpers/hub-harness.js';
import { startHubProcess } from '../../helpers/hub-process.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Every wait below ends on an event (a log line, an answer, a close, an exit); this cap only
 * stops a hung run. Two hub start-ups through tsx and 120 fsynced commits take seconds on an
 * idle machine and several times that on a loaded one.
 */
const CAP_MS = 240_000;
/** An answer from a hub that is alive comes, however slowly; only the SIGKILL ends calls early. */
const CALL_TIMEOUT_MS = 120_000;

describe('durability', () => {
  it('every transaction message the hub answered is in the store after a SIGKILL', async () => {
    const configPath = join(dir, 'site.yaml');
    writeFileSync(configPath, `data: { dir: ./data }\nstations:\n  - { id: CPK, securityProfile: 0 }\nauthorization:\n  list: [{ idToken: TAG }]\n`);
    const hub = await startHubProcess(configPath);
    const cp = ocppClient(hub.url, 'CPK', { callTimeoutMs: CALL_TIMEOUT_MS });
    await cp.connect();
    await cp.call('BootNotification', boot16);
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: new Date().toISOString() })) as { transactionId: number };
    const answered: number[] = [];
    cp.on('close', () => undefined);
    let killed: Promise<void> | undefined;
    for (let wh = 1; wh <= 500; wh++) {
      if (wh === 120) killed = hub.kill();
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
    await killed;
    // Every call before the kill was answered (none timed out), so the check below covers them all.
    expect(answered.slice(0, 119)).toEqual(Array.from({ length: 119 }, (_, i) => i + 1));

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
    const cp2 = ocppClient(again.url, 'CPK', { callTimeoutMs: CALL_TIMEOUT_MS });
    await cp2.connect();
    await cp2.call('StopTransaction', { transactionId: start.transactionId, meterStop: 999, timestamp: new Date().toISOString() });
    await cp2.close();
    await again.stop();
    const store2 = openStore({ path: join(dir, 'data', 'switchyard.db') });
    try {
      expect(store2.transactions.get('CPK', String(start.transactionId))?.status).toBe('Ended');
    } finally {
      store2.close();
    }
  }, CAP_MS);
});
