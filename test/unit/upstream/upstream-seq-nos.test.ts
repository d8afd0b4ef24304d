import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { OutboxEntry } from '../../../src/store/outbox-repo.js';
import { PLAIN_CODEC, planCompaction } from '../../../src/upstream/outbox-compaction.js';
import { UpstreamSeqNos } from '../../../src/upstream/upstream-seq-nos.js';
import { useTempStores } from '../store/temp-store.js';

/**
 * Upstream seqNos of one transaction over a mix of what happens to its messages: delivered live;
 * delivered live and then lost at the hub (answered before the sync, gone in a power cut: no
 * ack, no record); refused with a CALLERROR; queued while the CSMS is away, compacted and
 * replayed. The CSMS must never get one number twice, and without a loss it gets 0, 1, 2, ...
 */

type Op = { kind: 'live' | 'lost' | 'refused' } | { kind: 'offline'; periodic: boolean[]; cap: number; refuse: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom<Op>({ kind: 'live' }, { kind: 'lost' }, { kind: 'refused' }),
  fc.record({ kind: fc.constant('offline' as const), periodic: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), cap: fc.integer({ min: 1, max: 4 }), refuse: fc.integer({ min: -1, max: 8 }) }),
);

const event = (seqNo: number, periodic = true) => ({
  eventType: seqNo === 0 ? 'Started' : 'Updated',
  timestamp: new Date(Date.UTC(2026, 0, 1) + seqNo * 60_000).toISOString(),
  triggerReason: seqNo === 0 ? 'Authorized' : periodic ? 'MeterValuePeriodic' : 'ChargingStateChanged',
  seqNo,
  transactionInfo: { transactionId: 'T1' },
  meterValue: [{ timestamp: new Date(Date.UTC(2026, 0, 1) + seqNo * 60_000).toISOString(), sampledValue: [{ value: seqNo }] }],
});

describe('upstream seqNos', () => {
  const stores = useTempStores();
  let run = 0;

  it('property: the CSMS never gets a number twice, and gets 0, 1, 2, ... when nothing was lost', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 12 }), (ops) => {
        const store = stores.open();
        const seqNos = new UpstreamSeqNos({ state: store.stationState });
        const link = `L${++run}`;
        const accepted: number[] = [];
        let own = 0;
        let lost = false;
        const send = (payload: unknown, outcome: 'delivered' | 'lost' | 'refused'): void => {
          const wire = seqNos.onWire(link, 'TransactionEvent', payload) as { seqNo: number };
          if (outcome === 'refused') return seqNos.notSent(link, 'TransactionEvent', payload);
          accepted.push(wire.seqNo);
          if (outcome === 'delivered') seqNos.delivered(link, 'TransactionEvent', wire);
        };
        for (const op of ops) {
          if (op.kind !== 'offline') {
            lost ||= op.kind === 'lost';
            send(event(own++), op.kind === 'live' ? 'delivered' : op.kind);
            continue;
          }
          const entries: OutboxEntry[] = op.periodic.map((periodic, i) => ({ seq: i + 1, link, action: 'TransactionEvent', payload: event(own++, periodic), kind: 'billing', createdMs: 0 }));
          const plan = planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: op.cap });
          seqNos.absorb(link, plan.absorbed);
          const removed = new Set(plan.remove);
          const rewritten = new Map(plan.rewrite.map((r) => [r.seq, r.payload]));
          entries.filter((e) => !removed.has(e.seq)).forEach((e, i) => send(rewritten.get(e.seq) ?? e.payload, i === op.refuse ? 'refused' : 'delivered'));
        }
        expect(new Set(accepted).size).toBe(accepted.length);
        expect(accepted).toEqual([...accepted].sort((a, b) => a - b));
        if (!lost) expect(accepted).toEqual(accepted.map((_, i) => i));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps counting the upstream numbers for a transaction that has the counter of an earlier version, until it ends', () => {
    const store = stores.open();
    const seqNos = new UpstreamSeqNos({ state: store.stationState });
    store.stationState.set('L', 'upstream.nextSeqNo.T1', 3);
    expect(seqNos.numbersFromOwn('L', 'TransactionEvent', event(7))).toBe(false);
    const wire = seqNos.onWire('L', 'TransactionEvent', event(7)) as { seqNo: number };
    expect(wire.seqNo).toBe(3);
    seqNos.delivered('L', 'TransactionEvent', wire);
    expect((seqNos.onWire('L', 'TransactionEvent', event(8)) as { seqNo: number }).seqNo).toBe(4);
    seqNos.delivered('L', 'TransactionEvent', { ...event(9), eventType: 'Ended', seqNo: 4 });
    expect(seqNos.numbersFromOwn('L', 'TransactionEvent', event(7))).toBe(true);
  });
});
