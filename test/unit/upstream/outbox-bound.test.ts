import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { openStore } from '../../../src/store/store.js';
import { OutboxBound } from '../../../src/upstream/outbox-bound.js';
import { PLAIN_CODEC } from '../../../src/upstream/outbox-compaction.js';

const periodic = (seqNo: number, wh: number): Record<string, unknown> => ({
  eventType: 'Updated',
  timestamp: `2026-01-01T00:0${seqNo}:00.000Z`,
  triggerReason: 'MeterValuePeriodic',
  seqNo,
  transactionInfo: { transactionId: 'TX1' },
  meterValue: [{ timestamp: `2026-01-01T00:0${seqNo}:00.000Z`, sampledValue: [{ value: wh }] }],
});

describe('outbox bound', () => {
  it('never merges a link’s oldest row: it may have left before a crash, and a changed copy would reuse its seqNo', () => {
    const store = openStore({ path: ':memory:', clock: new FakeClock() });
    for (let i = 1; i <= 4; i++) store.outbox.append('SITE', 'TransactionEvent', periodic(i, i * 100), { kind: 'periodic' });
    const [head] = store.outbox.peek('SITE', 1);
    const bound = new OutboxBound({ outbox: store.outbox, maxBytes: 1e9, maxRows: 4, freeBytes: () => undefined, codec: PLAIN_CODEC, busySeqs: () => new Set(), log: silentLogger() });

    const view = bound.check();

    const rows = store.outbox.all('SITE');
    expect(view.rowsMerged).toBe(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(head);
    expect((rows[1]?.payload as { meterValue: unknown[] }).meterValue).toHaveLength(3);
    store.close();
  });
});
