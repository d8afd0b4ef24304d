import { describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { holdCommits } from '../../helpers/commit-gate.js';
import { track, useGatedProxy } from './gated-proxy-rig.js';
import { meterValue16, t0, txEvent } from './proxy-site.js';

/**
 * Proxy mode with a slow commit (GroupCommit.gateCommits holds each batch's commit, as a slow
 * fsync would): a live meter-values message outside a transaction is answered with the CSMS's
 * answer while the commit of its record is still held (answersBeforeDurable); every other
 * message tried here waits for that commit; a commit that fails after such an early answer
 * leaves the CSMS with its one copy and the hub with nothing to send again.
 */


const rig = useGatedProxy();

const charger = (id: 'CP16' | 'CP201'): Promise<RPCClient> => rig.booted(id);
const pumpOf = (id: 'CP16' | 'CP201') => rig.pumpOf(id);


/** A meter-values message outside a transaction, in the station's version. */
function meterValuesOutsideTx(id: 'CP16' | 'CP201', wh: number): Record<string, unknown> {
  if (id === 'CP16') return { connectorId: 1, meterValue: [meterValue16(wh)] };
  return { evseId: 1, meterValue: [{ timestamp: t0(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }] };
}


describe('proxy mode: the CSMS answer before the local commit, for meter values outside a transaction', () => {
  for (const id of ['CP16', 'CP201'] as const) {
    it(`answers a ${id === 'CP16' ? '1.6 MeterValues without a transactionId' : '2.0.1 MeterValues'} while its commit is held, and acks the row once it commits`, async () => {
      const cp = await charger(id);
      const gate = holdCommits(rig.h);
      const first = meterValuesOutsideTx(id, 150);
      const call = track(cp.call('MeterValues', first));
      await gate.entered;
      // Answered while the commit is still held: the CSMS has it.
      await expect(call.result).resolves.toEqual({});
      expect(rig.csms.of(id, 'MeterValues').map((c) => c.params)).toEqual([first]);
      // The row waits for its commit before it is acked, and is not sent again meanwhile; the
      // next message goes out behind it (the CSMS answered the first: the order holds).
      expect(rig.h.hub.store.outbox.count(id)).toBe(1);
      const second = meterValuesOutsideTx(id, 160);
      await expect(cp.call('MeterValues', second)).resolves.toEqual({});
      expect(rig.csms.of(id, 'MeterValues').map((c) => c.params)).toEqual([first, second]);

      gate.open();
      await pumpOf(id).whenIdle();
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
      expect(rig.csms.of(id, 'MeterValues')).toHaveLength(2);
      expect(rig.h.hub.store.messages.listRecent({ stationId: id, action: 'MeterValues' })).toHaveLength(2);
    });

    it(`keeps the CSMS's one copy of a ${id === 'CP16' ? '1.6' : '2.0.1'} MeterValues answered early whose commit then failed, and sends nothing again`, async () => {
      const cp = await charger(id);
      const gate = holdCommits(rig.h);
      const first = meterValuesOutsideTx(id, 150);
      const answered = cp.call('MeterValues', first);
      await gate.entered;
      await expect(answered).resolves.toEqual({});
      gate.fail(new Error('database or disk is full'));
      await pumpOf(id).whenIdle();
      // Nothing of it stayed at the hub (the commit was rolled back), so nothing is replayed.
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
      expect(rig.h.hub.store.messages.listRecent({ stationId: id, action: 'MeterValues' })).toHaveLength(0);

      // The link carries on: the next message goes up live, and the CSMS holds each reading once.
      const next = meterValuesOutsideTx(id, 170);
      await expect(cp.call('MeterValues', next)).resolves.toEqual({});
      await pumpOf(id).whenIdle();
      expect(rig.csms.of(id, 'MeterValues').map((c) => c.params)).toEqual([first, next]);
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
    });
  }

  it('still answers a 2.0.1 TransactionEvent Updated, a 2.0.1 StatusNotification and a 1.6 MeterValues of a transaction only after their commit', async () => {
    const cp201 = await charger('CP201');
    await cp201.call('TransactionEvent', txEvent('Started', 0, 'TX-EA', 100));
    const cp16 = await charger('CP16');
    const { transactionId } = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
    await pumpOf('CP201').whenIdle();
    await pumpOf('CP16').whenIdle();

    const cases: Array<{ id: 'CP16' | 'CP201'; action: string; payload: Record<string, unknown> }> = [
      { id: 'CP201', action: 'TransactionEvent', payload: txEvent('Updated', 1, 'TX-EA', 150) },
      { id: 'CP201', action: 'StatusNotification', payload: { timestamp: t0(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 } },
      { id: 'CP16', action: 'MeterValues', payload: { connectorId: 1, transactionId, meterValue: [meterValue16(150)] } },
    ];
    for (const { id, action, payload } of cases) {
      const gate = holdCommits(rig.h);
      const before = rig.csms.of(id, action).length;
      const call = track((id === 'CP16' ? cp16 : cp201).call(action, payload));
      await gate.entered;
      await rig.csms.until(() => rig.csms.of(id, action).length === before + 1);
      // A round trip through the hub to the station after the CSMS's answer: an answer the hub
      // had sent the station would have reached it first.
      await (await rig.csms.client(id)).call(id === 'CP16' ? 'GetConfiguration' : 'ClearCache', {});
      expect(call.settled(), `${id} ${action}`).toBe(false);
      gate.open();
      await expect(call.result).resolves.toBeDefined();
      await pumpOf(id).whenIdle();
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
    }
  });
});
