import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { boot16 } from '../../helpers/hub-harness.js';
import { startHubProcess, type HubProcess } from '../../helpers/hub-process.js';
import { StrictCsms } from './strict-csms.js';
import { killWithOnTheWire, ON_THE_WIRE_TIMEOUT_MS, useOnTheWireSite } from './on-the-wire-site.js';
import { meterValue16, t0 } from './proxy-site.js';

const { dir, siteYaml, connect16, logged, dbFile } = useOnTheWireSite('switchyard-mv-on-wire-');
const TIMEOUT_MS = ON_THE_WIRE_TIMEOUT_MS;

/** Payloads of the message-log rows of one action, read from the hub's database once it stopped. */
const loggedPayloads = (name: string, action: string) => logged(name, action).map((r) => r.payload);

interface Started {
  csms: StrictCsms;
  hub: HubProcess;
  configPath: string;
  cp: RPCClient;
  hubTransactionId: number;
}

/** A CSMS, a hub and a 1.6 station with a transaction the CSMS answered (its id 5000). */
async function withTransaction(name: string): Promise<Started> {
  const csms = new StrictCsms();
  await csms.start();
  const configPath = join(dir, `${name}.yaml`);
  writeFileSync(configPath, siteYaml(name, csms.url));
  const hub = await startHubProcess(configPath);
  const cp = await connect16(hub.url);
  await cp.call('BootNotification', boot16);
  const started = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
  return { csms, hub, configPath, cp, hubTransactionId: started.transactionId };
}

/**
 * OCPP 1.6 gives a CSMS no key by which to recognise a second MeterValues. One that left for the
 * CSMS, when the hub dies before the CSMS's answer is committed, may or may not be at the CSMS:
 * sent again it may be a duplicate, dropped it may be lost. The hub sends its readings once more
 * only inside the transaction's StopTransaction (transactionData), never as a second MeterValues.
 */
describe('proxy mode: a 1.6 MeterValues on the wire when the hub is SIGKILLed', () => {
  it('is not sent again as a MeterValues: its reading reaches the CSMS with the Stop, and is reported', { timeout: TIMEOUT_MS }, async () => {
    const { csms, hub, configPath, cp, hubTransactionId } = await withTransaction('mv-held');
    const reading = meterValue16(150);
    const later = meterValue16(180);
    await killWithOnTheWire({ csms, hub, cp, dbFile: dbFile('mv-held') }, 'MeterValues', { connectorId: 1, transactionId: hubTransactionId, meterValue: [reading] });

    const again = await startHubProcess(configPath);
    try {
      const cp2 = await connect16(again.url);
      // The station's own retry is answered from the hub's record.
      await cp2.call('MeterValues', { connectorId: 1, transactionId: hubTransactionId, meterValue: [reading] });
      await cp2.call('MeterValues', { connectorId: 1, transactionId: hubTransactionId, meterValue: [later] });
      await cp2.call('StopTransaction', { transactionId: hubTransactionId, meterStop: 200, timestamp: t0() });
      await cp2.close({ force: true });
      await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
    } finally {
      await again.stop();
      await csms.stop();
    }

    const meterValues = csms.of('CP16', 'MeterValues').map((c) => c.params);
    expect(meterValues).toEqual([
      { connectorId: 1, transactionId: 5000, meterValue: [reading] },
      { connectorId: 1, transactionId: 5000, meterValue: [later] },
    ]);
    const stops = csms.of('CP16', 'StopTransaction').map((c) => c.params);
    expect(stops).toEqual([{ transactionId: 5000, meterStop: 200, timestamp: expect.any(String) as string, transactionData: [reading] }]);
    expect(loggedPayloads('mv-held', 'UpstreamRestatedInStop')).toMatchObject([{ hubTransactionId, payload: { transactionId: hubTransactionId, meterValue: [reading] } }]);
    expect(loggedPayloads('mv-held', 'UpstreamPossibleDuplicate')).toEqual([]);
  });

  it('is sent once, as a MeterValues, when it never left (queued while the CSMS was away)', { timeout: TIMEOUT_MS }, async () => {
    // The CSMS is down before the hub starts: its link never connects, nothing is sent before the restart.
    const csms = new StrictCsms();
    await csms.start();
    await csms.stop();
    const configPath = join(dir, 'mv-queued.yaml');
    writeFileSync(configPath, siteYaml('mv-queued', csms.url));
    const hub = await startHubProcess(configPath);
    const cp = await connect16(hub.url);
    await cp.call('BootNotification', boot16);
    const { transactionId: hubTransactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
    const reading = meterValue16(150);
    await cp.call('MeterValues', { connectorId: 1, transactionId: hubTransactionId, meterValue: [reading] });
    await hub.kill();
    await cp.close({ force: true });

    await csms.start();
    const again = await startHubProcess(configPath);
    try {
      await csms.until(() => csms.answered.some((c) => c.method === 'MeterValues'));
      const cp2 = await connect16(again.url);
      await cp2.call('StopTransaction', { transactionId: hubTransactionId, meterStop: 200, timestamp: t0() });
      await cp2.close({ force: true });
      await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
    } finally {
      await again.stop();
      await csms.stop();
    }
    expect(csms.of('CP16', 'MeterValues').map((c) => c.params)).toEqual([{ connectorId: 1, transactionId: 5000, meterValue: [reading] }]);
    expect(csms.of('CP16', 'StopTransaction').map((c) => c.params['transactionData'])).toEqual([undefined]);
    expect(loggedPayloads('mv-queued', 'UpstreamRestatedInStop')).toEqual([]);
  });
});

describe('proxy mode: a 1.6 StopTransaction on the wire when the hub is SIGKILLed', () => {
  it('is sent once more, identical, and reported as a possible duplicate (the CSMS knows the transaction id)', { timeout: TIMEOUT_MS }, async () => {
    const { csms, hub, configPath, cp, hubTransactionId } = await withTransaction('stop-held');
    const stop = { transactionId: hubTransactionId, meterStop: 200, timestamp: t0() };
    await killWithOnTheWire({ csms, hub, cp, dbFile: dbFile('stop-held') }, 'StopTransaction', stop);

    const again = await startHubProcess(configPath);
    try {
      const cp2 = await connect16(again.url);
      await cp2.call('StopTransaction', stop);
      await cp2.close({ force: true });
      await csms.until(() => csms.answered.some((c) => c.method === 'StopTransaction'));
    } finally {
      await again.stop();
      await csms.stop();
    }
    const stops = csms.of('CP16', 'StopTransaction').map((c) => c.params);
    expect(stops).toEqual([
      { ...stop, transactionId: 5000 },
      { ...stop, transactionId: 5000 },
    ]);
    expect(loggedPayloads('stop-held', 'UpstreamPossibleDuplicate')).toMatchObject([{ action: 'StopTransaction', hubTransactionId, payload: stop }]);
  });
});
