import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { OutboxPump, type PumpLink } from '../../../src/upstream/outbox-pump.js';
import { UpstreamSeqNos } from '../../../src/upstream/upstream-seq-nos.js';
import type { LinkState } from '../../../src/upstream/upstream-link.js';
import { useTempStores } from '../store/temp-store.js';

/** A connected link that answers every call at once and records what it was sent. */
class AnsweringLink implements PumpLink {
  state: LinkState = 'connected';
  readonly sent: Array<{ action: string; payload: unknown }> = [];
  call(action: string, payload: unknown): Promise<unknown> {
    this.sent.push({ action, payload });
    return Promise.resolve({});
  }
  onState(): () => void {
    return () => undefined;
  }
}

const stores = useTempStores();
const clock = new FakeClock();
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The pump as proxy mode builds it: ack (and the upstream seqNo) in the turn's group commit, sends after the commit. */
function proxyLikePump(store: Store, link: PumpLink): OutboxPump {
  return new OutboxPump({
    linkName: 'CP1',
    link,
    outbox: store.outbox,
    atomically: (fn) => store.batch.lazily(fn),
    committed: () => store.batch.barrier(),
    seqNos: new UpstreamSeqNos({ state: store.stationState }),
    clock,
    log: silentLogger(),
    retryDelayMs: 1000,
    prepare: (entry) => ({ action: entry.action, payload: entry.payload }),
  });
}

const txEvent = (seqNo: number) => ({ eventType: 'Updated', seqNo, transactionInfo: { transactionId: 'T1' }, triggerReason: 'MeterValuePeriodic', timestamp: '2026-01-01T00:00:00Z' });

/** Outbox rows of the link as another connection sees them (committed only). */
function committedRows(path: string): number {
  const reader = new Database(path, { readonly: true });
  try {
    return (reader.prepare("SELECT COUNT(*) AS n FROM outbox WHERE link = 'CP1'").get() as { n: number }).n;
  } finally {
    reader.close();
  }
}

/** Opens the store again on the same file after the previous one died without committing. */
function reopen(path: string): Store {
  return openStore({ path, clock });
}

describe('outbox pump with the ack in the group commit (proxy mode)', () => {
  it('answers a live entry before its ack is on disk, and the ack is on disk after the turn', async () => {
    const store = stores.open({ clock });
    const link = new AnsweringLink();
    const pump = proxyLikePump(store, link);
    const entry = store.outbox.append('CP1', 'TransactionEvent', txEvent(3), { kind: 'billing' });
    await expect(pump.tryLive(entry)).resolves.toEqual({ kind: 'delivered', result: {}, beforeDurable: false });
    expect(store.outbox.count('CP1')).toBe(0); // what the hub reads next
    expect(committedRows(stores.dbPath())).toBe(1); // not yet on disk: nobody waited for it
    await store.batch.barrier(); // a station's answer does not wait for the ack either
    expect(committedRows(stores.dbPath())).toBe(1);
    await nextTurn();
    expect(committedRows(stores.dbPath())).toBe(0);
    pump.stop();
  });

  it('after a crash before that commit re-sends the entry with the same upstream seqNo (a copy the CSMS can recognise), and nothing else', async () => {
    const path = stores.dbPath();
    const first = openStore({ path, clock });
    const link = new AnsweringLink();
    const pump = proxyLikePump(first, link);
    const delivered = first.outbox.append('CP1', 'TransactionEvent', txEvent(3), { kind: 'billing' });
    await pump.tryLive(delivered);
    first.batch.commit(); // this one's ack is on disk
    const lost = first.outbox.append('CP1', 'TransactionEvent', txEvent(4), { kind: 'billing' });
    await pump.tryLive(lost);
    pump.stop();
    first.db.close(); // killed before the turn's commit: the second ack is lost

    const again = reopen(path);
    try {
      const replayLink = new AnsweringLink();
      const replay = proxyLikePump(again, replayLink);
      replay.kick();
      await replay.whenIdle();
      expect(replayLink.sent).toEqual([{ action: 'TransactionEvent', payload: txEvent(4) }]);
      expect(link.sent.map((s) => (s.payload as { seqNo: number }).seqNo)).toEqual([3, 4]);
      replay.stop();
    } finally {
      again.close();
    }
  });

  it('sends nothing again after a crash once the ack was committed', async () => {
    const path = stores.dbPath();
    const first = openStore({ path, clock });
    const pump = proxyLikePump(first, new AnsweringLink());
    await pump.tryLive(first.outbox.append('CP1', 'TransactionEvent', txEvent(3), { kind: 'billing' }));
    await nextTurn();
    pump.stop();
    first.db.close();

    const again = reopen(path);
    try {
      const replayLink = new AnsweringLink();
      const replay = proxyLikePump(again, replayLink);
      replay.kick();
      await replay.whenIdle();
      expect(replayLink.sent).toEqual([]);
      // The transaction's next event goes up with the next number.
      await replay.tryLive(again.outbox.append('CP1', 'TransactionEvent', txEvent(4), { kind: 'billing' }));
      expect(replayLink.sent.map((s) => (s.payload as { seqNo: number }).seqNo)).toEqual([4]);
      replay.stop();
    } finally {
      again.close();
    }
  });
});
