import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x } from '../../helpers/hub-harness.js';
import { holdCommits } from '../../helpers/commit-gate.js';
import { track, useGatedProxy } from './gated-proxy-rig.js';
import { meterValue16, proxyOf, t0, txEvent } from './proxy-site.js';

/**
 * The forward path of proxy mode with a slow commit (GroupCommit.gateCommits holds each batch's
 * commit until the test releases it, as a slow fsync would): a live message leaves for the CSMS
 * while the commit of its record runs, the station's answer still waits for that commit, a
 * commit that fails after the message left is never acknowledged, and a 1.6 StartTransaction
 * leaves only once committed.
 */


const rig = useGatedProxy();
const charger = (id: string, version: '1.6' | '2.0.1'): Promise<RPCClient> => rig.connect(id, version);



describe('proxy mode: forwarding while the record commits', () => {
  it('sends a 1.6 MeterValues to the CSMS before its commit finished, and answers the station only after it', async () => {
    const cp = await charger('CP16', '1.6');
    cp.handle('GetConfiguration', () => Promise.resolve({ configurationKey: [] }));
    await cp.call('BootNotification', boot16);
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
    const pump = proxyOf(rig.h).station('CP16', '1.6').pump;
    await pump.whenIdle();

    const gate = holdCommits(rig.h);
    const reading = meterValue16(150);
    const call = track(cp.call('MeterValues', { connectorId: 1, transactionId, meterValue: [reading] }));
    await gate.entered;
    // The CSMS gets it while the commit is still held (before: it waited for the commit).
    await rig.csms.until(() => rig.csms.of('CP16', 'MeterValues').length === 1);
    expect(rig.csms.of('CP16', 'MeterValues')[0]?.params).toEqual({ connectorId: 1, transactionId: 5000, meterValue: [reading] });
    // The CSMS answered at once. A round trip through the hub to the station after that answer:
    // an answer the hub had sent the station would have reached it first. It still waits, and
    // the row is not acknowledged before its commit either.
    await (await rig.csms.client('CP16')).call('GetConfiguration', {});
    expect(call.settled()).toBe(false);
    expect(rig.h.hub.store.outbox.count('CP16')).toBe(1);

    gate.open();
    await expect(call.result).resolves.toEqual({});
    await pump.whenIdle();
    expect(rig.h.hub.store.outbox.count('CP16')).toBe(0);
    expect(rig.h.hub.store.transactions.events('CP16', String(transactionId)).filter((e) => e.eventType === 'Updated')).toHaveLength(1);
    expect(rig.csms.of('CP16', 'MeterValues')).toHaveLength(1);
  });

  it('does not send a 1.6 StartTransaction before its commit (its "sent" mark must be durable first)', async () => {
    const cp = await charger('CP16', '1.6');
    cp.handle('GetConfiguration', () => Promise.resolve({ configurationKey: [] }));
    await cp.call('BootNotification', boot16);
    await proxyOf(rig.h).station('CP16', '1.6').pump.whenIdle();

    const gate = holdCommits(rig.h);
    const call = track(cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() }));
    await gate.entered;
    // A round trip on the same upstream connection: a frame the hub had sent before its answer would be here first.
    const upstream = await rig.csms.client('CP16');
    await upstream.call('GetConfiguration', {});
    expect(rig.csms.of('CP16', 'StartTransaction')).toHaveLength(0);
    expect(call.settled()).toBe(false);

    gate.open();
    await expect(call.result).resolves.toMatchObject({ idTagInfo: { status: 'Accepted' } });
    expect(rig.csms.of('CP16', 'StartTransaction')).toHaveLength(1);
  });

  it('answers a 2.0.1 TransactionEvent whose commit failed after it left with InternalError; the re-send goes up with the same seqNo and is recorded once', async () => {
    const cp = await charger('CP201', '2.0.1');
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-OVL', 100));
    const pump = proxyOf(rig.h).station('CP201', '2.0.1').pump;
    await pump.whenIdle();

    const gate = holdCommits(rig.h);
    const updated = txEvent('Updated', 1, 'TX-OVL', 150);
    const first = track(cp.call('TransactionEvent', updated));
    await rig.csms.until(() => rig.csms.of('CP201', 'TransactionEvent').length === 2);
    gate.fail(new Error('database or disk is full'));
    await expect(first.result).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    // Nothing of it stayed at the hub: no event, no outbox row.
    expect(rig.h.hub.store.transactions.events('CP201', 'TX-OVL').map((e) => e.seqNo)).toEqual([0]);
    expect(rig.h.hub.store.outbox.count('CP201')).toBe(0);

    // The station sends it again: the CSMS gets the same transactionId + seqNo (OCPP's key for a repeat).
    await expect(cp.call('TransactionEvent', updated)).resolves.toEqual({});
    const seen = rig.csms.of('CP201', 'TransactionEvent').map((c) => [c.params['eventType'], c.params['seqNo']]);
    expect(seen).toEqual([
      ['Started', 0],
      ['Updated', 1],
      ['Updated', 1],
    ]);
    expect(rig.h.hub.store.transactions.events('CP201', 'TX-OVL').map((e) => e.seqNo)).toEqual([0, 1]);

    // And the next message continues the sequence.
    await cp.call('TransactionEvent', txEvent('Updated', 2, 'TX-OVL', 180));
    expect(rig.csms.of('CP201', 'TransactionEvent').at(-1)?.params['seqNo']).toBe(2);
  });
});
