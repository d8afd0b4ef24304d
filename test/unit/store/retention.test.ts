import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { RetentionJob } from '../../../src/store/retention-job.js';
import type { RetentionPolicy } from '../../../src/store/retention-policy.js';
import { parseSiteConfig, ConfigError } from '../../../src/config/load.js';
import { aTransactionEvent, anEnergyReading } from './builders.js';
import { useTempStores } from './temp-store.js';

const DAY_MS = 86_400_000;
const POLICY: RetentionPolicy = { messageLogDays: 30, meterSamplesDays: 30, transactionEventsDays: 90, transactionsDays: null };

function job(store: Store, clock: FakeClock, overrides: { policy?: Partial<RetentionPolicy>; batchRows?: number; yieldToEventLoop?: () => Promise<void> } = {}): RetentionJob {
  return new RetentionJob({
    db: store.db,
    clock,
    log: silentLogger(),
    policy: { ...POLICY, ...overrides.policy },
    intervalMs: 3_600_000,
    batchRows: overrides.batchRows ?? 500,
    ...(overrides.yieldToEventLoop ? { yieldToEventLoop: overrides.yieldToEventLoop } : {}),
  });
}

/** A whole transaction: Started, `updates` periodic events with the energy register, Ended (unless `active`). */
function chargeSession(store: Store, opts: { txId: string; startMs: number; updates?: number; active?: boolean }): void {
  const base = { transactionId: opts.txId };
  store.transactions.recordEvent(aTransactionEvent({ ...base, eventType: 'Started', seqNo: 0, timeMs: opts.startMs, triggerReason: 'Authorized', idToken: 'TAG', meterValues: [anEnergyReading(opts.startMs, 0)] }));
  const updates = opts.updates ?? 3;
  for (let i = 1; i <= updates; i++) {
    const t = opts.startMs + i * 60_000;
    store.transactions.recordEvent(aTransactionEvent({ ...base, seqNo: i, timeMs: t, meterValues: [anEnergyReading(t, i * 100)] }));
  }
  if (opts.active) return;
  const endMs = opts.startMs + (updates + 1) * 60_000;
  store.transactions.recordEvent(aTransactionEvent({ ...base, eventType: 'Ended', seqNo: updates + 1, timeMs: endMs, triggerReason: 'EVDeparted', stoppedReason: 'EVDisconnected', meterValues: [anEnergyReading(endMs, (updates + 1) * 100)] }));
}

describe('retention', () => {
  const stores = useTempStores();

  it('deletes message-log rows older than messageLogDays and keeps the newer ones', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    store.messages.append('CP-1', 'NotifyEvent', 'old', clock.nowMs() - 31 * DAY_MS);
    store.messages.append('CP-1', 'NotifyEvent', 'recent', clock.nowMs() - 29 * DAY_MS);
    const result = await job(store, clock).runOnce();
    expect(result.messageLog).toBe(1);
    expect(store.messages.listRecent().map((m) => m.payload)).toEqual(['recent']);
  });

  it('drops an ended transaction’s samples, then its events, and keeps its summary with the energy', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    chargeSession(store, { txId: 'old', startMs: clock.nowMs() });
    const summary = store.transactions.get('CP-1', 'old');
    expect(summary?.energyWh).toBe(400);

    clock.advanceMs(31 * DAY_MS);
    const first = await job(store, clock).runOnce();
    expect(first.meterSamples).toBe(5);
    expect(first.transactionEvents).toBe(0);
    expect(store.transactions.samples('CP-1', 'old')).toEqual([]);
    expect(store.transactions.events('CP-1', 'old')).toHaveLength(5);

    clock.advanceMs(60 * DAY_MS);
    const second = await job(store, clock).runOnce();
    expect(second.transactionEvents).toBe(5);
    expect(store.transactions.events('CP-1', 'old')).toEqual([]);
    expect(store.transactions.get('CP-1', 'old')).toEqual(summary);
  });

  it('keeps everything of a transaction that has not ended, however old', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    chargeSession(store, { txId: 'stuck', startMs: clock.nowMs(), active: true });
    clock.advanceMs(400 * DAY_MS);
    const result = await job(store, clock, { policy: { transactionsDays: 365 } }).runOnce();
    expect(result).toEqual({ messageLog: 0, meterSamples: 0, transactionEvents: 0, transactions: 0, powerHistory: 0 });
    expect(store.transactions.events('CP-1', 'stuck')).toHaveLength(4);
    expect(store.transactions.samples('CP-1', 'stuck')).toHaveLength(4);
  });

  it('keeps transactions for ever by default, and deletes them after transactionsDays when set', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    chargeSession(store, { txId: 'old', startMs: clock.nowMs() });
    clock.advanceMs(400 * DAY_MS);
    await job(store, clock).runOnce();
    expect(store.transactions.get('CP-1', 'old')?.status).toBe('Ended');
    const result = await job(store, clock, { policy: { transactionsDays: 365 } }).runOnce();
    expect(result.transactions).toBe(1);
    expect(store.transactions.get('CP-1', 'old')).toBeUndefined();
  });

  it('prunes nothing from the time of the oldest message still waiting in the outbox', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    chargeSession(store, { txId: 'before', startMs: clock.nowMs() - 2 * DAY_MS });
    const waiting = store.outbox.append('SITE', 'TransactionEvent', { seqNo: 1 }, { kind: 'billing' });
    chargeSession(store, { txId: 'during', startMs: clock.nowMs() + DAY_MS });
    store.messages.append('CP-1', 'NotifyEvent', 'during', clock.nowMs() + DAY_MS);

    clock.advanceMs(200 * DAY_MS); // the upstream has been away all this time
    const held = await job(store, clock).runOnce();
    expect(store.transactions.samples('CP-1', 'during')).toHaveLength(5);
    expect(store.transactions.samples('CP-1', 'before')).toEqual([]);
    expect(held.messageLog).toBe(0);
    expect(store.outbox.count()).toBe(1);

    store.outbox.ack(waiting.seq); // delivered at last
    const after = await job(store, clock).runOnce();
    expect(after.meterSamples).toBe(5);
    expect(after.messageLog).toBe(1);
  });

  it('deletes in batches of batchRows and lets the event loop run between them', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    for (let i = 0; i < 35; i++) store.messages.append('CP-1', 'NotifyEvent', i, clock.nowMs() - 40 * DAY_MS);
    let yields = 0;
    const result = await job(store, clock, { batchRows: 10, yieldToEventLoop: async () => void yields++ }).runOnce();
    expect(result.messageLog).toBe(35);
    expect(yields).toBe(3);
    expect(store.messages.count()).toBe(0);
  });

  it('runs on the clock: shortly after start, then every interval, and not after stop', async () => {
    const clock = new FakeClock();
    const store = stores.open({ clock });
    const pruner = job(store, clock);
    pruner.start();
    store.messages.append('CP-1', 'NotifyEvent', 'a', clock.nowMs() - 31 * DAY_MS);
    clock.advanceMs(60_000);
    await pruner.idle();
    expect(store.messages.count()).toBe(0);

    store.messages.append('CP-1', 'NotifyEvent', 'b', clock.nowMs() - 31 * DAY_MS);
    clock.advanceMs(3_600_000);
    await pruner.idle();
    expect(store.messages.count()).toBe(0);

    await pruner.stop();
    store.messages.append('CP-1', 'NotifyEvent', 'c', clock.nowMs() - 31 * DAY_MS);
    clock.advanceMs(10 * 3_600_000);
    await pruner.idle();
    expect(store.messages.count()).toBe(1);
  });

  it('never deletes an undelivered outbox row, an active transaction or anything younger than its retention (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ startDay: fc.integer({ min: 0, max: 200 }), active: fc.boolean() }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 3 }),
        fc.record({ messageLogDays: fc.integer({ min: 1, max: 100 }), meterSamplesDays: fc.integer({ min: 1, max: 50 }), extraEventDays: fc.integer({ min: 0, max: 50 }) }),
        fc.integer({ min: 1, max: 7 }),
        async (sessions, outboxDays, p, batchRows) => {
          const clock = new FakeClock(0);
          const store = openStore({ path: ':memory:', clock });
          try {
            sessions.forEach((s, i) => chargeSession(store, { txId: `tx${i}`, startMs: s.startDay * DAY_MS, active: s.active, updates: 2 }));
            for (const d of outboxDays) {
              store.db.prepare("INSERT INTO outbox (link, action, payload_json, kind, created_ms) VALUES ('SITE', 'TransactionEvent', '{}', 'billing', ?)").run(d * DAY_MS);
            }
            const nowMs = 250 * DAY_MS;
            clock.advanceMs(nowMs);
            const policy = { messageLogDays: p.messageLogDays, meterSamplesDays: p.meterSamplesDays, transactionEventsDays: p.meterSamplesDays + p.extraEventDays, transactionsDays: null };
            await job(store, clock, { policy, batchRows }).runOnce();

            expect(store.outbox.count()).toBe(outboxDays.length);
            const oldestOutboxMs = outboxDays.length ? Math.min(...outboxDays) * DAY_MS : Infinity;
            sessions.forEach((s, i) => {
              const tx = store.transactions.get('CP-1', `tx${i}`);
              expect(tx).toBeDefined();
              const endedMs = tx?.endedMs;
              const events = store.transactions.events('CP-1', `tx${i}`).length;
              const samples = store.transactions.samples('CP-1', `tx${i}`).length;
              const keepAll = endedMs === undefined || endedMs >= oldestOutboxMs;
              if (keepAll || endedMs >= nowMs - policy.meterSamplesDays * DAY_MS) expect(samples).toBe(s.active ? 3 : 4);
              if (keepAll || endedMs >= nowMs - policy.transactionEventsDays * DAY_MS) expect(events).toBe(s.active ? 3 : 4);
              if (!keepAll && endedMs < nowMs - policy.transactionEventsDays * DAY_MS) expect(events).toBe(0);
            });
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the config refuses samples kept longer than their events, naming the field', () => {
    expect(() => parseSiteConfig('data: { retention: { meterSamplesDays: 100, transactionEventsDays: 50 } }\n', 'site.yaml')).toThrow(ConfigError);
    expect(() => parseSiteConfig('data: { retention: { meterSamplesDays: 100, transactionEventsDays: 50 } }\n', 'site.yaml')).toThrow(/data\.retention\.meterSamplesDays/);
    expect(parseSiteConfig('site: { name: x }\n', 'site.yaml').data.retention).toMatchObject({ messageLogDays: 30, meterSamplesDays: 30, transactionEventsDays: 90, transactionsDays: null });
  });
});
