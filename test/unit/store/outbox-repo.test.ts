import { describe, it, expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import type { OutboxKind, OutboxRepo } from '../../../src/store/outbox-repo.js';
import { useTempStores } from './temp-store.js';

/** Appends one message per kind letter (b = billing, p = periodic, o = other), payload = index. */
function fill(outbox: OutboxRepo, kinds: string): void {
  const byLetter: Record<string, OutboxKind> = { b: 'billing', p: 'periodic', o: 'other' };
  [...kinds].forEach((letter, i) => outbox.append('site', 'TransactionEvent', i, { kind: byLetter[letter] ?? 'other' }));
}

const payloads = (outbox: OutboxRepo): unknown[] => outbox.peek('site', 100).map((e) => e.payload);

describe('OutboxRepo', () => {
  const stores = useTempStores();

  it('returns a link’s messages oldest first', () => {
    const { outbox } = stores.open();
    fill(outbox, 'bpo');
    expect(payloads(outbox)).toEqual([0, 1, 2]);
  });

  it('peek returns at most the requested number and removes nothing', () => {
    const { outbox } = stores.open();
    fill(outbox, 'bbb');
    expect(outbox.peek('site', 2).map((e) => e.payload)).toEqual([0, 1]);
    expect(outbox.count('site')).toBe(3);
  });

  it('oldestSeq and nextSeqAfter step through the seqs peek would give, per link, and entry reads one row back', () => {
    const { outbox } = stores.open();
    fill(outbox, 'bpo');
    const other = outbox.append('CP-9', 'StatusNotification', 'x', { kind: 'periodic' });
    fill(outbox, 'b');
    const stepped: number[] = [];
    for (let seq = outbox.oldestSeq('site'); seq !== undefined; seq = outbox.nextSeqAfter('site', seq)) stepped.push(seq);
    expect(stepped).toEqual(outbox.peek('site', 10).map((e) => e.seq));
    expect(stepped).toEqual([1, 2, 3, 5]);
    expect(outbox.nextSeqAfter('site', 3)).toBe(5);
    expect(outbox.nextSeqAfter('CP-9', 0)).toBe(other.seq);
    expect(outbox.nextSeqAfter('CP-9', other.seq)).toBeUndefined();
    expect(outbox.oldestSeq('CP-9')).toBe(other.seq);
    expect(outbox.oldestSeq('nobody')).toBeUndefined();
    expect(outbox.entry(other.seq)).toEqual(other);
    outbox.ack(other.seq);
    expect(outbox.entry(other.seq)).toBeUndefined();
    expect(outbox.oldestSeq('CP-9')).toBeUndefined();
    outbox.ack(1);
    expect(outbox.oldestSeq('site')).toBe(2);
  });

  it('remembers the last seq it appended per link, acked or not, until told to forget', () => {
    const { outbox } = stores.open();
    expect(outbox.lastAppendedSeq('site')).toBeUndefined();
    fill(outbox, 'bb');
    const other = outbox.append('CP-9', 'StatusNotification', 'x', { kind: 'periodic' });
    expect(outbox.lastAppendedSeq('site')).toBe(2);
    expect(outbox.lastAppendedSeq('CP-9')).toBe(other.seq);
    outbox.ack(2);
    expect(outbox.lastAppendedSeq('site')).toBe(2);
    outbox.forgetAppended();
    expect(outbox.lastAppendedSeq('site')).toBeUndefined();
    expect(outbox.lastAppendedSeq('CP-9')).toBeUndefined();
  });

  it('keeps links apart', () => {
    const clock = new FakeClock();
    const { outbox } = stores.open({ clock });
    outbox.append('CP-1', 'TransactionEvent', 'a', { kind: 'billing' });
    const entry = outbox.append('CP-2', 'StatusNotification', 'b', { kind: 'periodic' });
    expect(outbox.peek('CP-2', 10)).toEqual([entry]);
    expect(entry).toEqual({ seq: 2, link: 'CP-2', action: 'StatusNotification', payload: 'b', kind: 'periodic', createdMs: clock.nowMs() });
  });

  it('ack removes a delivered message', () => {
    const { outbox } = stores.open();
    fill(outbox, 'bb');
    const [first] = outbox.peek('site', 1);
    expect(outbox.ack(first?.seq ?? -1)).toBe(true);
    expect(payloads(outbox)).toEqual([1]);
  });

  it('acking twice reports the second ack as a miss', () => {
    const { outbox } = stores.open();
    const entry = outbox.append('site', 'TransactionEvent', {}, { kind: 'billing' });
    outbox.ack(entry.seq);
    expect(outbox.ack(entry.seq)).toBe(false);
  });

  it('never reuses a sequence number after the newest message is acked', () => {
    const { outbox } = stores.open();
    const first = outbox.append('site', 'A', 1, { kind: 'other' });
    outbox.ack(first.seq);
    expect(outbox.append('site', 'B', 2, { kind: 'other' }).seq).toBeGreaterThan(first.seq);
  });

  it('continues the sequence across close and reopen', () => {
    const first = stores.open();
    fill(first.outbox, 'bp');
    first.close();
    const { outbox } = stores.open();
    outbox.append('site', 'TransactionEvent', 2, { kind: 'billing' });
    expect(outbox.peek('site', 10).map((e) => [e.seq, e.payload])).toEqual([[1, 0], [2, 1], [3, 2]]);
  });

  it('stats count rows and payload bytes of every link, and the oldest row', () => {
    const clock = new FakeClock();
    const { outbox } = stores.open({ clock });
    expect(outbox.stats()).toEqual({ rows: 0, payloadBytes: 0 });
    const first = outbox.append('A', 'TransactionEvent', { a: 'é' }, { kind: 'billing' });
    clock.advanceMs(1000);
    outbox.append('B', 'StatusNotification', [1, 2], { kind: 'periodic' });
    expect(outbox.stats()).toEqual({ rows: 2, payloadBytes: Buffer.byteLength('{"a":"é"}') + '[1,2]'.length, oldestCreatedMs: first.createdMs });
    expect(outbox.links()).toEqual(['A', 'B']);
    expect(outbox.oldestUndeliveredMs()).toBe(first.createdMs);
    outbox.ack(first.seq);
    expect(outbox.oldestUndeliveredMs()).toBe(first.createdMs + 1000);
  });

  it('compact rewrites and removes rows in one step, keeping the others in order', () => {
    const { outbox } = stores.open();
    fill(outbox, 'bppb');
    outbox.compact([{ seq: 2, payload: 'merged' }], [3]);
    expect(payloads(outbox)).toEqual([0, 'merged', 3]);
    expect(outbox.all('site').map((e) => e.seq)).toEqual([1, 2, 4]);
  });
});
