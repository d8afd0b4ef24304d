import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { Store } from '../../../src/store/store.js';
import type { OutboxPump, PumpLink } from '../../../src/upstream/outbox-pump.js';
import type { LinkState } from '../../../src/upstream/upstream-link.js';
import { useTempStores } from '../store/temp-store.js';
import { faultablePump } from './fault-pump.js';

/*
 * After a live entry the CSMS answered, the pump knows every row of its link up to that entry is
 * dealt with; while nothing was appended after it, the drain that follows each live call asks
 * the outbox nothing. These tests hold it to the cases where a row comes back.
 */

/** A connected link that answers every call at once and records what it was sent. */
class AnsweringLink implements PumpLink {
  state: LinkState = 'connected';
  readonly sent: unknown[] = [];
  call(_action: string, payload: unknown): Promise<unknown> {
    this.sent.push(payload);
    return Promise.resolve({});
  }
  onState(): () => void {
    return () => undefined;
  }
}

/** A connected link whose answers the test releases one at a time. */
class HeldLink implements PumpLink {
  state: LinkState = 'connected';
  readonly sent: unknown[] = [];
  private readonly held: Array<() => void> = [];
  call(_action: string, payload: unknown): Promise<unknown> {
    this.sent.push(payload);
    return new Promise((resolve) => this.held.push(() => resolve({})));
  }
  answerNext(): void {
    this.held.shift()?.();
  }
  onState(): () => void {
    return () => undefined;
  }
}

const stores = useTempStores();
const clock = new FakeClock();
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The faultable pump, with the switch as a call. */
function pumpOf(store: Store, link: PumpLink): { pump: OutboxPump; failNextAck: () => void } {
  const { pump, faults } = faultablePump(store, link, clock);
  return { pump, failNextAck: () => (faults.failNextAck = true) };
}

/** Appends a periodic reading and sends it live, answered before its commit (as a transaction's periodic message). */
async function sendLive(store: Store, pump: OutboxPump, n: number): Promise<void> {
  const entry = store.outbox.append('CP1', 'MeterValues', { n }, { kind: 'periodic' });
  const recorded = store.batch.barrier();
  await expect(pump.tryLive(entry, recorded, { answerBeforeDurable: true })).resolves.toMatchObject({ kind: 'delivered', beforeDurable: true });
}

describe('outbox pump: the head after a live entry', () => {
  it('asks the outbox nothing in the drain after a live call, and still sends what is appended later', async () => {
    const store = stores.open({ clock });
    const link = new AnsweringLink();
    const { pump } = pumpOf(store, link);
    await sendLive(store, pump, 1);
    await pump.whenIdle();
    const oldest = vi.spyOn(store.outbox, 'oldestSeq');
    const next = vi.spyOn(store.outbox, 'nextSeqAfter');
    await sendLive(store, pump, 2);
    // tryLive's own check of the head: one query for the oldest (the entry itself, its predecessor acked).
    expect(oldest).toHaveBeenCalledTimes(1);
    expect(next).not.toHaveBeenCalled();
    await pump.whenIdle();
    // The ack's kick found nothing appended after the entry either.
    expect(oldest).toHaveBeenCalledTimes(1);
    expect(store.outbox.count('CP1')).toBe(0);
    // A row appended without a live send (a hub-made message) is found and sent.
    store.outbox.append('CP1', 'StatusNotification', { n: 3 }, { kind: 'periodic' });
    pump.kick();
    await pump.whenIdle();
    expect(link.sent).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(store.outbox.count('CP1')).toBe(0);
    pump.stop();
  });

  it('sends a row again whose ack failed, though nothing was appended after it', async () => {
    const store = stores.open({ clock });
    const link = new AnsweringLink();
    const { pump, failNextAck } = pumpOf(store, link);
    failNextAck();
    await sendLive(store, pump, 1);
    await pump.whenIdle();
    expect(link.sent).toEqual([{ n: 1 }, { n: 1 }]);
    expect(store.outbox.count('CP1')).toBe(0);
    pump.stop();
  });

  it('sends live an entry that reuses the seq of one a failed commit took back', async () => {
    const store = stores.open({ clock });
    const link = new AnsweringLink();
    const { pump } = pumpOf(store, link);
    let commits = 0; // only this batch's commit fails
    store.batch.gateCommits(() => (++commits === 1 ? Promise.reject(new Error('SQLITE_FULL')) : Promise.resolve()));
    store.batch.begin(); // the turn's batch, as a station's message opens it
    const lost = store.outbox.append('CP1', 'MeterValues', { n: 1 }, { kind: 'periodic' });
    const recorded = store.batch.barrier();
    recorded.catch(() => undefined);
    await expect(pump.tryLive(lost, recorded, { answerBeforeDurable: true })).resolves.toMatchObject({ kind: 'delivered' });
    await expect(recorded).rejects.toThrow('SQLITE_FULL');
    await pump.whenIdle();
    store.batch.gateCommits(undefined);
    expect(store.outbox.count('CP1')).toBe(0);
    // SQLite hands the taken-back seq out again.
    const again = store.outbox.append('CP1', 'MeterValues', { n: 2 }, { kind: 'periodic' });
    expect(again.seq).toBe(lost.seq);
    await expect(pump.tryLive(again)).resolves.toMatchObject({ kind: 'delivered' });
    expect(link.sent).toEqual([{ n: 1 }, { n: 2 }]);
    pump.stop();
  });

  it('sends a row again whose ack failed while the next entry was on the wire', async () => {
    const store = stores.open({ clock });
    const link = new HeldLink();
    const { pump, failNextAck } = pumpOf(store, link);
    // The first entry: answered before its commit settled, so it awaits its ack.
    const first = store.outbox.append('CP1', 'MeterValues', { n: 1 }, { kind: 'periodic' });
    let settleFirst: () => void = () => undefined;
    const firstRecorded = new Promise<void>((resolve) => (settleFirst = resolve));
    const firstLive = pump.tryLive(first, firstRecorded, { answerBeforeDurable: true });
    link.answerNext();
    await expect(firstLive).resolves.toMatchObject({ kind: 'delivered', beforeDurable: true });
    // The second leaves behind it; while it is on the wire, the first's ack fails (its row stays).
    const second = store.outbox.append('CP1', 'MeterValues', { n: 2 }, { kind: 'periodic' });
    const secondLive = pump.tryLive(second, Promise.resolve(), { answerBeforeDurable: true });
    failNextAck();
    settleFirst();
    await nextTurn();
    expect(store.outbox.count('CP1')).toBe(2);
    link.answerNext();
    await expect(secondLive).resolves.toMatchObject({ kind: 'delivered' });
    // The drain after the second must not take it for the end of the link: the first goes again.
    await nextTurn();
    link.answerNext();
    await pump.whenIdle();
    expect(link.sent).toEqual([{ n: 1 }, { n: 2 }, { n: 1 }]);
    expect(store.outbox.count('CP1')).toBe(0);
    pump.stop();
  });

  it('sends a row again whose ack a failed commit rolled back', async () => {
    const store = stores.open({ clock });
    const link = new AnsweringLink();
    const { pump } = pumpOf(store, link);
    // The row commits on its own (appended outside a batch); its ack opens a batch whose commit fails.
    store.batch.gateCommits(() => Promise.reject(new Error('SQLITE_FULL')));
    await sendLive(store, pump, 1);
    await pump.whenIdle();
    await nextTurn(); // the ack's batch: its commit fails and is rolled back
    store.batch.gateCommits(undefined);
    expect(store.outbox.count('CP1')).toBe(1);
    expect(link.sent).toEqual([{ n: 1 }]);
    pump.kick();
    await pump.whenIdle();
    await nextTurn();
    expect(link.sent).toEqual([{ n: 1 }, { n: 1 }]);
    expect(store.outbox.count('CP1')).toBe(0);
    pump.stop();
  });
});
