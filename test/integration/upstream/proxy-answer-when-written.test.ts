import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { dbPathOf } from '../../../src/config/data-dir.js';
import { boot2x, ocppClient, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { holdEachSync, holdSyncs } from '../../helpers/commit-gate.js';
import { track, useGatedProxy } from './gated-proxy-rig.js';
import { StrictCsms } from './strict-csms.js';
import { closed, meterValue16, proxyOf, proxySiteYaml, t0, txEvent } from './proxy-site.js';

/**
 * Proxy mode with a slow fsync (GroupCommit.gateSyncs holds each sync of the log; the commits
 * themselves are written at once): a transaction's periodic message is answered with the CSMS's
 * answer once its commit is written, before the sync (answersWhenWritten), at most one per
 * station at a time; everything else of a transaction still waits for the sync. Then a power cut
 * that loses such a message's local copy, played by restoring the database as it was before it
 * and restarting "the system" (another boot id): no upstream seqNo is used twice.
 */

describe('proxy mode: a transaction\'s periodic message answered once written, before its sync', () => {
  const rig = useGatedProxy();

  const charger = (id: 'CP16' | 'CP201', callConcurrency = 1): Promise<RPCClient> => rig.booted(id, { callConcurrency });
  const pumpOf = (id: 'CP16' | 'CP201') => rig.pumpOf(id);

  /** Starts a transaction; returns its periodic message maker (the nth reading). */
  async function periodic(id: 'CP16' | 'CP201', cp: RPCClient): Promise<(n: number) => { action: string; payload: Record<string, unknown> }> {
    if (id === 'CP201') {
      await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-W', 100));
      await pumpOf(id).whenIdle();
      return (n) => ({ action: 'TransactionEvent', payload: txEvent('Updated', n, 'TX-W', 100 + n * 10) });
    }
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
    await pumpOf(id).whenIdle();
    return (n) => ({ action: 'MeterValues', payload: { connectorId: 1, transactionId, meterValue: [meterValue16(100 + n * 10)] } });
  }

  /** A round trip through the hub to the station after the CSMS's answers: an answer the hub had sent the station would have reached it first. */
  async function roundTrip(id: 'CP16' | 'CP201'): Promise<void> {
    await (await rig.csms.client(id)).call(id === 'CP16' ? 'GetConfiguration' : 'ClearCache', {});
  }

  for (const id of ['CP16', 'CP201'] as const) {
    const what = id === 'CP16' ? '1.6 MeterValues of a transaction' : '2.0.1 TransactionEvent Updated';
    it(`answers a ${what} while its sync is held, the next one only after that sync, and acks both once synced`, async () => {
      const cp = await charger(id);
      const message = await periodic(id, cp);
      const action = message(1).action;
      const before = rig.csms.of(id, action).length;
      const gate = holdSyncs(rig.h);

      const first = message(1);
      await expect(cp.call(first.action, first.payload)).resolves.toBeDefined();
      await gate.entered; // its sync was requested and is held
      expect(rig.csms.of(id, action)).toHaveLength(before + 1);
      // Written, not synced: the row is acked only after the sync.
      expect(rig.h.hub.store.outbox.count(id)).toBe(1);
      // A relayed Authorize acknowledges nothing the hub wrote: it does not wait for that sync.
      await expect(cp.call('Authorize', id === 'CP16' ? { idTag: 'LOCAL1' } : { idToken: { idToken: 'LOCAL1', type: 'ISO14443' } })).resolves.toBeDefined();
      expect(rig.h.hub.store.outbox.count(id)).toBe(1);

      // At most one answer per station waits for its sync: the next message waits for the earlier's.
      const second = message(2);
      const call = track(cp.call(second.action, second.payload));
      await rig.csms.until(() => rig.csms.of(id, action).length === before + 2);
      await roundTrip(id);
      expect(call.settled()).toBe(false);

      gate.open();
      await expect(call.result).resolves.toBeDefined();
      await pumpOf(id).whenIdle();
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
      expect(rig.csms.of(id, action).slice(before).map((c) => c.params)).toEqual(
        id === 'CP16' ? [first.payload, second.payload].map((p) => ({ ...p, transactionId: 5000 })) : [first.payload, second.payload],
      );
    });

    it(`answers the next ${what} once the earlier one's sync is done, while its own sync is held, and the one after only after that`, async () => {
      const cp = await charger(id);
      const message = await periodic(id, cp);
      const action = message(1).action;
      const before = rig.csms.of(id, action).length;
      const gate = holdEachSync(rig.h);

      const first = message(1);
      await expect(cp.call(first.action, first.payload)).resolves.toBeDefined();
      const firstSync = await gate.nth(0);
      expect(rig.h.hub.store.outbox.count(id)).toBe(1);
      const second = message(2);
      const secondCall = track(cp.call(second.action, second.payload));
      await rig.csms.until(() => rig.csms.of(id, action).length === before + 2);
      await roundTrip(id);
      expect(secondCall.settled()).toBe(false);
      expect(rig.h.hub.store.outbox.count(id)).toBe(2);

      firstSync.open();
      await expect(secondCall.result).resolves.toBeDefined();
      await gate.nth(1); // the sync covering the second message's commit: held while it was answered
      await roundTrip(id);
      expect(rig.h.hub.store.outbox.count(id)).toBe(1); // the first's row acked, the second's only after its own sync

      const third = message(3);
      const thirdCall = track(cp.call(third.action, third.payload));
      await rig.csms.until(() => rig.csms.of(id, action).length === before + 3);
      await roundTrip(id);
      expect(thirdCall.settled()).toBe(false);

      gate.openAll();
      await expect(thirdCall.result).resolves.toBeDefined();
      await pumpOf(id).whenIdle();
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
      const sent = [first.payload, second.payload, third.payload];
      expect(rig.csms.of(id, action).slice(before).map((c) => c.params)).toEqual(id === 'CP16' ? sent.map((p) => ({ ...p, transactionId: 5000 })) : sent);
    });

    it(`answers only one of two ${what} sent at once (a station that does not wait for answers) before its sync`, async () => {
      const cp = await charger(id, 2);
      const message = await periodic(id, cp);
      const action = message(1).action;
      const before = rig.csms.of(id, action).length;
      const gate = holdEachSync(rig.h);

      const [first, second] = [message(1), message(2)];
      const firstCall = track(cp.call(first.action, first.payload));
      const secondCall = track(cp.call(second.action, second.payload));
      await expect(firstCall.result).resolves.toBeDefined();
      await roundTrip(id);
      // The second waits for the first's sync (the held one), whether it went live or queued behind the first.
      expect(secondCall.settled()).toBe(false);

      gate.openAll();
      await expect(secondCall.result).resolves.toBeDefined();
      await pumpOf(id).whenIdle();
      expect(rig.h.hub.store.outbox.count(id)).toBe(0);
      // The second went live, or queued behind the first and answered by the hub: either way
      // the link was up when it was recorded, so a 2.0.1 TransactionEvent is not marked offline.
      const sent = [first.payload, second.payload];
      const received = rig.csms.of(id, action).slice(before).map(({ params }) => params);
      expect(received).toEqual(id === 'CP16' ? sent.map((p) => ({ ...p, transactionId: 5000 })) : sent);
    });
  }

  it('still answers a 2.0.1 Started, Ended and StatusNotification, and a 1.6 StopTransaction, only after their sync', async () => {
    const cp201 = await charger('CP201');
    const cp16 = await charger('CP16');
    const { transactionId } = (await cp16.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart: 100, timestamp: t0() })) as { transactionId: number };
    await pumpOf('CP16').whenIdle();
    const cases: Array<{ id: 'CP16' | 'CP201'; action: string; payload: Record<string, unknown> }> = [
      { id: 'CP201', action: 'TransactionEvent', payload: txEvent('Started', 0, 'TX-S', 100) },
      { id: 'CP201', action: 'StatusNotification', payload: { timestamp: t0(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 } },
      { id: 'CP201', action: 'TransactionEvent', payload: txEvent('Ended', 1, 'TX-S', 150) },
      { id: 'CP16', action: 'StopTransaction', payload: { transactionId, meterStop: 200, timestamp: t0() } },
    ];
    for (const { id, action, payload } of cases) {
      const gate = holdSyncs(rig.h);
      const before = rig.csms.of(id, action).length;
      const call = track((id === 'CP16' ? cp16 : cp201).call(action, payload));
      await gate.entered;
      await rig.csms.until(() => rig.csms.of(id, action).length === before + 1);
      await roundTrip(id);
      expect(call.settled(), `${id} ${action}`).toBe(false);
      gate.open();
      await expect(call.result).resolves.toBeDefined();
      await pumpOf(id).whenIdle();
    }
  });
});

describe('proxy mode: a power cut loses the local copy of a message answered before its sync', () => {
  let csms: StrictCsms;
  let dir: string;
  const hubs: Harness[] = [];
  const clients: RPCClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close({ force: true });
    for (const h of hubs.splice(0)) await h.stop();
    await csms.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function hub(clock: FakeClock, bootId: string): Promise<Harness> {
    const h = await startTestHub(proxySiteYaml({ csmsUrl: csms.url }), { clock, dir, bootId });
    hubs.push(h);
    return h;
  }

  async function connect(h: Harness): Promise<RPCClient> {
    const c = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    clients.push(c);
    c.handle('ClearCache', () => Promise.resolve({ status: 'Accepted' }));
    await c.connect();
    return c;
  }

  /**
   * A 2.0.1 transaction with Started (0) and Updated (1) delivered; the database is copied
   * (what the disk holds after the last sync); Updated (2) is delivered and answered while its
   * sync is held; then the machine "loses power": the hub stops and its database is put back to
   * the copy, so Updated (2) is at the CSMS and nowhere at the hub. Returns the clock and the
   * restarted hub's harness, started with the given boot id.
   */
  async function cutPowerAfterUpdated2(bootIdAfter: string, opts: { lose: boolean } = { lose: true }): Promise<{ clock: FakeClock; h: Harness }> {
    csms = new StrictCsms({ passwords: { CP16: 'pw-cp16', CP201: 'pw-cp201' } });
    await csms.start();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-power-cut-'));
    const clock = new FakeClock(Date.now());
    const first = await hub(clock, 'boot-before');
    const cp = await connect(first);
    await cp.call('BootNotification', boot2x);
    await cp.call('TransactionEvent', txEvent('Started', 0, 'TX-CUT', 100));
    await cp.call('TransactionEvent', txEvent('Updated', 1, 'TX-CUT', 110));
    const pump = proxyOf(first).station('CP201', '2.0.1').pump;
    await pump.whenIdle();
    const copy = join(dir, 'synced.db');
    await first.hub.store.db.backup(copy);

    const gate = holdSyncs(first);
    await expect(cp.call('TransactionEvent', txEvent('Updated', 2, 'TX-CUT', 120))).resolves.toBeDefined();
    expect(csms.of('CP201', 'TransactionEvent').map((c) => (c.params as { seqNo: number }).seqNo)).toEqual([0, 1, 2]);
    gate.open();
    const gone = closed(cp);
    await first.stop();
    hubs.splice(hubs.indexOf(first), 1);
    await gone;
    if (opts.lose) {
      const db = dbPathOf(dir);
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
      copyFileSync(copy, db);
    }
    return { clock, h: await hub(clock, bootIdAfter) };
  }

  const seqNosAtCsms = (): number[] => csms.of('CP201', 'TransactionEvent').map((c) => (c.params as { seqNo: number }).seqNo);

  it('gives the station\'s next TransactionEvent its own number, not the lost one\'s', async () => {
    const { h } = await cutPowerAfterUpdated2('boot-after');
    expect(h.hub.store.transactions.events('CP201', 'TX-CUT').map((e) => e.seqNo)).toEqual([0, 1]); // Updated (2) is lost here
    const cp = await connect(h);
    await expect(cp.call('TransactionEvent', txEvent('Updated', 3, 'TX-CUT', 130))).resolves.toBeDefined();
    // Live, or queued and replayed if the hub's link to the CSMS was not up again yet.
    await csms.until(() => seqNosAtCsms().length === 4);
    // Counting the numbers sent would have sent it as 2, the lost one's number: a repeat to the CSMS.
    expect(seqNosAtCsms()).toEqual([0, 1, 2, 3]);
    expect(csms.of('CP201', 'TransactionEvent').at(-1)?.params).toMatchObject({ seqNo: 3, meterValue: [{ sampledValue: [{ value: 130 }] }] });
  });

  it('skips one number in the Ended the hub makes after the station rebooted, when the system restarted without closing the store', async () => {
    const { clock, h } = await cutPowerAfterUpdated2('boot-after');
    const cp = await connect(h);
    await cp.call('BootNotification', { ...boot2x, reason: 'PowerUp' });
    clock.advanceMs(60_000); // the reboot rule's grace time: the transaction did not resume
    await csms.until(() => seqNosAtCsms().length === 4);
    expect(csms.of('CP201', 'TransactionEvent').at(-1)?.params).toMatchObject({ eventType: 'Ended', seqNo: 3, triggerReason: 'AbnormalCondition', transactionInfo: { transactionId: 'TX-CUT', stoppedReason: 'Reboot' } });
  });

  it('skips no number after a clean stop, even when the system restarted', async () => {
    const { clock, h } = await cutPowerAfterUpdated2('boot-after', { lose: false });
    const cp = await connect(h);
    await cp.call('BootNotification', { ...boot2x, reason: 'PowerUp' });
    clock.advanceMs(60_000);
    await csms.until(() => seqNosAtCsms().length === 4);
    expect(seqNosAtCsms()).toEqual([0, 1, 2, 3]);
    expect(csms.of('CP201', 'TransactionEvent').at(-1)?.params).toMatchObject({ eventType: 'Ended', seqNo: 3 });
  });
});
