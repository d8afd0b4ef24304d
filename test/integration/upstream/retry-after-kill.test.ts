import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, ocppClient } from '../../helpers/hub-harness.js';
import { startHubProcess } from '../../helpers/hub-process.js';
import { StrictCsms, type Received } from './strict-csms.js';
import { meterValue16, t0 } from './proxy-site.js';
import { SITE, txIdOf } from './hub-site.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-retry-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two hub processes, a CSMS and a station: generous, the machine may be busy. */
const TIMEOUT_MS = 240_000;

function siteYaml(mode: 'proxy' | 'hub', csmsUrl: string): string {
  return `data: { dir: ./data-${mode} }
server: { pingIntervalS: 0 }
stations:
  - { id: CP16, securityProfile: 0 }
authorization:
  list: [{ idToken: LOCAL1 }]
upstream:
  mode: ${mode}
  url: ${csmsUrl}
${mode === 'hub' ? `  identity: ${SITE}\n` : ''}  pingIntervalS: 0
  reconnect: { initialDelayS: 0.2, maxDelayS: 0.5 }
`;
}

async function connect16(url: string): Promise<RPCClient> {
  const c = ocppClient(url, 'CP16');
  c.on('close', () => undefined);
  await c.connect();
  return c;
}

async function activeTransactions(apiUrl: string): Promise<unknown[]> {
  const res = await fetch(`${apiUrl}/api/transactions?status=Active&stationId=CP16`);
  return ((await res.json()) as { transactions: unknown[] }).transactions;
}

async function allTransactions(apiUrl: string): Promise<Array<{ transactionId: string; status: string }>> {
  const res = await fetch(`${apiUrl}/api/transactions?stationId=CP16`);
  return ((await res.json()) as { transactions: Array<{ transactionId: string; status: string }> }).transactions;
}

const isStart = (method: string, params: Record<string, unknown>): boolean => method === 'StartTransaction' || (method === 'TransactionEvent' && params['eventType'] === 'Started');

/**
 * The hub is killed after it recorded a 1.6 StartTransaction and forwarded it, before anyone
 * answered the station (the CSMS holds its answer until the connection is gone). The station
 * retries the same StartTransaction after the restart, as a 1.6 station does. The retry must get
 * the recorded transaction back: no second transaction at the CSMS, no ghost in the hub.
 */
describe.each(['proxy', 'hub'] as const)('%s mode: a station retries its StartTransaction after a hub SIGKILL', (mode) => {
  it('answers the retry from the record: one transaction at the CSMS, none left Active in the hub', { timeout: TIMEOUT_MS }, async () => {
      const csms = new StrictCsms();
      await csms.start();
      const configPath = join(dir, `${mode}.yaml`);
      writeFileSync(configPath, siteYaml(mode, csms.url));
      const hub = await startHubProcess(configPath);
      const cp = await connect16(hub.url);
      await cp.call('BootNotification', boot16);

      const start = { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() };
      csms.hold = isStart;
      const firstTry = cp.call('StartTransaction', start).then(
        () => 'answered',
        () => 'no answer',
      );
      await csms.until(() => csms.calls.some((c) => isStart(c.method, c.params)));
      const exited = new Promise((resolve) => hub.child.once('exit', resolve));
      hub.child.kill('SIGKILL');
      await exited;
      expect(await firstTry).toBe('no answer');
      await cp.close({ force: true });
      csms.hold = undefined;

      const again = await startHubProcess(configPath);
      try {
        // The station reconnects (no reboot, so no BootNotification) and retries the same CALL.
        const cp2 = await connect16(again.url);
        const retried = (await cp2.call('StartTransaction', start)) as { transactionId: number; idTagInfo: { status: string } };
        expect(retried.idTagInfo.status).toBe('Accepted');
        await cp2.call('MeterValues', { connectorId: 1, transactionId: retried.transactionId, meterValue: [meterValue16(150)] });
        // A retried MeterValues (same content) is answered and not counted again.
        const reading = { connectorId: 1, transactionId: retried.transactionId, meterValue: [meterValue16(180)] };
        await cp2.call('MeterValues', reading);
        await cp2.call('MeterValues', reading);
        await cp2.call('StopTransaction', { transactionId: retried.transactionId, meterStop: 200, timestamp: t0() });
        await cp2.close({ force: true });

        const answeredStarts = (): Received[] => csms.answered.filter((c) => isStart(c.method, c.params));
        if (mode === 'proxy') {
          await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
          expect(answeredStarts()).toHaveLength(1);
          // The only other StartTransaction the CSMS saw is the one it never answered (lost with the killed hub).
          expect(csms.of('CP16', 'StartTransaction')).toHaveLength(2);
          const csmsTxId = 5000;
          expect(csms.of('CP16', 'MeterValues').map((c) => c.params['transactionId'])).toEqual([csmsTxId, csmsTxId]);
          expect(csms.of('CP16', 'StopTransaction').map((c) => c.params['transactionId'])).toEqual([csmsTxId]);
        } else {
          await csms.until(() => csms.answered.some((c) => c.method === 'TransactionEvent' && c.params['eventType'] === 'Ended'));
          const events = csms.answered.filter((c) => c.identity === SITE && c.method === 'TransactionEvent');
          expect(new Set(events.map(txIdOf)).size).toBe(1);
          expect(events.map((c) => [c.params['eventType'], c.params['seqNo']])).toEqual([
            ['Started', 0],
            ['Updated', 1],
            ['Updated', 2],
            ['Ended', 3],
          ]);
          expect(answeredStarts()).toHaveLength(1);
        }
        expect(await activeTransactions(again.apiUrl)).toEqual([]);
        expect((await allTransactions(again.apiUrl)).map((t) => [t.transactionId, t.status])).toEqual([[String(retried.transactionId), 'Ended']]);
      } finally {
        again.child.kill('SIGTERM');
        await new Promise((resolve) => again.child.once('exit', resolve));
        await csms.stop();
      }
  });
});
