import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot16 } from '../../helpers/hub-harness.js';
import { startHubProcess } from '../../helpers/hub-process.js';
import { StrictCsms } from './strict-csms.js';
import { killWithOnTheWire, ON_THE_WIRE_TIMEOUT_MS, useOnTheWireSite } from './on-the-wire-site.js';
import { meterValue16, t0 } from './proxy-site.js';

const { dir, siteYaml, connect16, logged, dbFile } = useOnTheWireSite('switchyard-start-on-wire-');
const TIMEOUT_MS = ON_THE_WIRE_TIMEOUT_MS;

/** What the hub reported as possibly received twice by the CSMS (read from its database once it stopped). */
const possibleDuplicates = (name: string) => logged(name, 'UpstreamPossibleDuplicate') as Array<{ stationId: string; payload: { hubTransactionId?: number; payload?: unknown } }>;

/**
 * OCPP 1.6 has no key by which a CSMS can recognise a repeated StartTransaction. A Start that
 * has left for the CSMS, when the hub dies before the CSMS's answer is committed, is sent again
 * after the restart: the CSMS may then hold it twice. That window (from the send to the commit
 * of the answer) cannot be closed from the hub's side; these tests pin down what the hub does:
 * exactly one more copy, identical in content, everything after it on the transaction the
 * answer named, the station's own retry not forwarded, and the repeat reported. A Start that
 * never left is sent once and not reported.
 */
describe('proxy mode: a 1.6 StartTransaction on the wire when the hub is SIGKILLed', () => {
  it('is sent once more, identical, reported as a possible duplicate; the rest follows the answered transaction', { timeout: TIMEOUT_MS }, async () => {
    const csms = new StrictCsms();
    await csms.start();
    const configPath = join(dir, 'on-wire.yaml');
    writeFileSync(configPath, siteYaml('on-wire', csms.url));
    const hub = await startHubProcess(configPath);
    const cp = await connect16(hub.url);
    await cp.call('BootNotification', boot16);

    const start = { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() };
    await killWithOnTheWire({ csms, hub, cp, dbFile: dbFile('on-wire') }, 'StartTransaction', start);

    const again = await startHubProcess(configPath);
    let hubTransactionId: number;
    try {
      const cp2 = await connect16(again.url);
      const retried = (await cp2.call('StartTransaction', start)) as { transactionId: number };
      hubTransactionId = retried.transactionId;
      await cp2.call('MeterValues', { connectorId: 1, transactionId: hubTransactionId, meterValue: [meterValue16(150)] });
      await cp2.call('StopTransaction', { transactionId: hubTransactionId, meterStop: 200, timestamp: t0() });
      await cp2.close({ force: true });
      await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
    } finally {
      await again.stop();
      await csms.stop();
    }

    const starts = csms.of('CP16', 'StartTransaction');
    expect(starts).toHaveLength(2);
    expect(starts[1]?.params).toEqual(starts[0]?.params);
    expect(starts[0]?.params).toEqual(start);
    // The held copy got no answer; the answered one is the CSMS's first id, which the rest follows.
    expect(csms.answered.filter((c) => c.method === 'StartTransaction')).toHaveLength(1);
    expect(csms.of('CP16', 'MeterValues').map((c) => c.params['transactionId'])).toEqual([5000]);
    expect(csms.of('CP16', 'StopTransaction').map((c) => c.params['transactionId'])).toEqual([5000]);
    const reported = possibleDuplicates('on-wire');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ stationId: 'CP16', payload: { hubTransactionId, csmsTransactionId: 5000, payload: start } });
  });

  it('is sent once and not reported when it never left (queued during an outage)', { timeout: TIMEOUT_MS }, async () => {
    // The CSMS is down before the hub starts: its link never connects, nothing is sent before the restart.
    const csms = new StrictCsms();
    await csms.start();
    await csms.stop();
    const configPath = join(dir, 'queued.yaml');
    writeFileSync(configPath, siteYaml('queued', csms.url));
    const hub = await startHubProcess(configPath);
    const cp = await connect16(hub.url);
    await cp.call('BootNotification', boot16);

    const start = { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() };
    const answered = (await cp.call('StartTransaction', start)) as { transactionId: number };
    await hub.kill();
    await cp.close({ force: true });

    await csms.start();
    const again = await startHubProcess(configPath);
    try {
      await csms.until(() => csms.answered.some((c) => c.method === 'StartTransaction'));
      const cp2 = await connect16(again.url);
      await cp2.call('StopTransaction', { transactionId: answered.transactionId, meterStop: 200, timestamp: t0() });
      await cp2.close({ force: true });
      await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
    } finally {
      await again.stop();
      await csms.stop();
    }
    expect(csms.of('CP16', 'StartTransaction').map((c) => c.params)).toEqual([start]);
    expect(possibleDuplicates('queued')).toEqual([]);
  });
});
