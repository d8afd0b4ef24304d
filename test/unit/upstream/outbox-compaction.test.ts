import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { OutboxEntry } from '../../../src/store/outbox-repo.js';
import { PLAIN_CODEC, planCompaction } from '../../../src/upstream/outbox-compaction.js';
import { PROXY_CODEC } from '../../../src/upstream/proxy/proxy-outbox.js';
import { UpstreamSeqNos } from '../../../src/upstream/upstream-seq-nos.js';
import { useTempStores } from '../store/temp-store.js';

type Kind = 'Started' | 'Periodic' | 'Other' | 'Ended' | 'Status';

/** A queue of 2.x TransactionEvents as the hub queues them: per transaction seqNo 0, 1, 2, ... */
function queue(steps: ReadonlyArray<{ kind: Kind; tx: number }>): OutboxEntry[] {
  const nextSeq = new Map<number, number>();
  let clockS = 0;
  return steps.map((s, i): OutboxEntry => {
    clockS += 60;
    const timestamp = new Date(Date.UTC(2026, 0, 1) + clockS * 1000).toISOString();
    if (s.kind === 'Status') {
      return { seq: i + 1, link: 'L', action: 'StatusNotification', payload: { timestamp, connectorStatus: i % 2 ? 'Occupied' : 'Available', evseId: s.tx, connectorId: 1 }, kind: 'periodic', createdMs: 0 };
    }
    const seqNo = nextSeq.get(s.tx) ?? 0;
    nextSeq.set(s.tx, seqNo + 1);
    const eventType = s.kind === 'Periodic' || s.kind === 'Other' ? 'Updated' : s.kind;
    const triggerReason = s.kind === 'Periodic' ? 'MeterValuePeriodic' : s.kind === 'Other' ? 'ChargingStateChanged' : s.kind === 'Started' ? 'Authorized' : 'EVDeparted';
    return {
      seq: i + 1,
      link: 'L',
      action: 'TransactionEvent',
      payload: {
        eventType,
        timestamp,
        triggerReason,
        seqNo,
        transactionInfo: { transactionId: `T${s.tx}` },
        meterValue: [{ timestamp, sampledValue: [{ value: i }] }],
      },
      kind: 'billing',
      createdMs: 0,
    };
  });
}

function applyPlan(entries: readonly OutboxEntry[], plan: ReturnType<typeof planCompaction>): OutboxEntry[] {
  const removed = new Set(plan.remove);
  const rewritten = new Map(plan.rewrite.map((r) => [r.seq, r.payload]));
  return entries.filter((e) => !removed.has(e.seq)).map((e) => (rewritten.has(e.seq) ? { ...e, payload: rewritten.get(e.seq) } : e));
}

interface Te {
  timestamp: string;
  eventType: string;
  triggerReason: string;
  seqNo: number;
  transactionInfo: { transactionId: string };
  meterValue: Array<{ timestamp: string; sampledValue: Array<{ value: number }> }>;
}

const te = (e: OutboxEntry): Te => e.payload as Te;
const txEvents = (entries: readonly OutboxEntry[], tx: string): Te[] => entries.filter((e) => e.action === 'TransactionEvent' && te(e).transactionInfo.transactionId === tx).map(te);
const readings = (events: readonly Te[]): Array<[string, number]> => events.flatMap((e) => e.meterValue.map((mv): [string, number] => [mv.timestamp, mv.sampledValue[0]?.value ?? -1]));

const stepsArb = fc.array(
  fc.record({ kind: fc.constantFrom<Kind>('Periodic', 'Periodic', 'Periodic', 'Other', 'Status'), tx: fc.integer({ min: 1, max: 3 }) }),
  { maxLength: 80 },
);

/** Every transaction starts, gets the generated events, and (some) end. */
function scenario(steps: ReadonlyArray<{ kind: Kind; tx: number }>, ended: readonly number[]): Array<{ kind: Kind; tx: number }> {
  return [{ kind: 'Started', tx: 1 }, { kind: 'Started', tx: 2 }, { kind: 'Started', tx: 3 }, ...steps, ...ended.map((tx) => ({ kind: 'Ended' as const, tx }))];
}

describe('outbox compaction', () => {
  const stores = useTempStores();

  it('merges consecutive periodic events of one transaction into the first, each reading keeping its timestamp', () => {
    const entries = queue([{ kind: 'Started', tx: 1 }, { kind: 'Periodic', tx: 1 }, { kind: 'Periodic', tx: 1 }, { kind: 'Periodic', tx: 1 }, { kind: 'Ended', tx: 1 }]);
    const plan = planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: 100 });
    expect(plan).toMatchObject({ remove: [3, 4], merged: 2, statusesDropped: 0 });
    const after = applyPlan(entries, plan);
    expect(after.map((e) => te(e).eventType)).toEqual(['Started', 'Updated', 'Ended']);
    expect(after[1] && te(after[1]).meterValue.map((mv) => mv.timestamp)).toEqual(entries.slice(1, 4).map((e) => te(e).timestamp));
    expect(after[1] && te(after[1]).timestamp).toBe(entries[3] && te(entries[3]).timestamp);
  });

  it('never merges across another event of the same transaction, and leaves the in-flight row alone', () => {
    const entries = queue([{ kind: 'Periodic', tx: 1 }, { kind: 'Periodic', tx: 1 }, { kind: 'Other', tx: 1 }, { kind: 'Periodic', tx: 1 }, { kind: 'Periodic', tx: 1 }]);
    expect(planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: 100, skipSeqs: new Set([1]) }).remove).toEqual([5]);
  });

  it('caps the readings of one merged message', () => {
    const entries = queue(Array.from({ length: 10 }, () => ({ kind: 'Periodic' as const, tx: 1 })));
    const after = applyPlan(entries, planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: 4 }));
    expect(after.map((e) => te(e).meterValue.length)).toEqual([4, 4, 2]);
  });

  it('merges 1.6 MeterValues of one transaction inside proxy envelopes, keeping the envelope', () => {
    const mv = (seq: number, wh: number, transactionId = 7): OutboxEntry => ({
      seq,
      link: 'CP',
      action: 'MeterValues',
      payload: { payload: { connectorId: 1, transactionId, meterValue: [{ timestamp: `2026-01-01T00:0${seq}:00Z`, sampledValue: [{ value: String(wh) }] }] } },
      kind: 'periodic',
      createdMs: 0,
    });
    const stop: OutboxEntry = { seq: 4, link: 'CP', action: 'StopTransaction', payload: { payload: { transactionId: 7, meterStop: 9, timestamp: '2026-01-01T00:05:00Z' } }, kind: 'billing', createdMs: 0 };
    const entries = [mv(1, 1), mv(2, 2), mv(3, 3, 8), stop, mv(5, 5)];
    const after = applyPlan(entries, planCompaction(entries, PROXY_CODEC, { maxMeterValuesPerMessage: 100 }));
    expect(after.map((e) => e.seq)).toEqual([1, 3, 4, 5]);
    expect(after[0]?.payload).toEqual({ payload: { connectorId: 1, transactionId: 7, meterValue: [mv(1, 1), mv(2, 2)].map((e) => (e.payload as { payload: { meterValue: unknown[] } }).payload.meterValue[0]) } });
  });

  it('drops only superseded status notifications, and only when asked to', () => {
    const entries = queue([{ kind: 'Status', tx: 1 }, { kind: 'Started', tx: 1 }, { kind: 'Status', tx: 1 }, { kind: 'Status', tx: 2 }]);
    expect(planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: 100 }).remove).toEqual([]);
    expect(planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: 100, dropSupersededStatuses: true })).toMatchObject({ remove: [1], statusesDropped: 1 });
  });

  let run = 0;
  it('property: no transaction event and no reading is lost or reordered, and the CSMS sees seqNo 0, 1, 2, ... per transaction', () => {
    fc.assert(
      fc.property(stepsArb, fc.subarray([1, 2, 3]), fc.integer({ min: 1, max: 8 }), fc.boolean(), (steps, ended, cap, drop) => {
        const entries = queue(scenario(steps, ended));
        const plan = planCompaction(entries, PLAIN_CODEC, { maxMeterValuesPerMessage: cap, dropSupersededStatuses: drop });
        const after = applyPlan(entries, plan);
        const store = stores.open();
        try {
          const seqNos = new UpstreamSeqNos({ state: store.stationState });
          const link = `L${++run}`;
          seqNos.absorb(link, plan.absorbed);
          const sent: OutboxEntry[] = after.map((e) => {
            const payload = seqNos.onWire(link, e.action, e.payload);
            seqNos.delivered(link, e.action, payload);
            return { ...e, payload };
          });
          for (const tx of ['T1', 'T2', 'T3']) {
            const before = txEvents(entries, tx);
            const got = txEvents(sent, tx);
            expect(readings(got)).toEqual(readings(before));
            expect(got.filter((e) => e.triggerReason !== 'MeterValuePeriodic')).toEqual(before.filter((e) => e.triggerReason !== 'MeterValuePeriodic').map((e) => ({ ...e, seqNo: expect.any(Number) as number })));
            expect(got.map((e) => e.seqNo)).toEqual(got.map((_, i) => i));
            expect(got.every((e) => e.meterValue.length <= Math.max(cap, 1))).toBe(true);
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
