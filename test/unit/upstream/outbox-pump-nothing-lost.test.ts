import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/store.js';
import type { PumpLink } from '../../../src/upstream/outbox-pump.js';
import type { LinkState } from '../../../src/upstream/upstream-link.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { faultablePump } from './fault-pump.js';

/*
 * Property: whatever happens around them (live sends answered before or after their commit,
 * commits that fail, acks that fail, calls that get no answer, the link going down and up,
 * messages the hub queues itself), every message whose row was committed reaches the CSMS, and
 * the outbox ends empty. Holds the pump's knowledge of its link's head (no query after a live
 * call while nothing was appended after it) to the cases where a row comes back.
 */

type Op =
  | { kind: 'live'; early: boolean; failCommit: boolean }
  | { kind: 'queued' }
  | { kind: 'ackFails' }
  | { kind: 'callFails' }
  | { kind: 'linkDown' }
  | { kind: 'linkUp' }
  | { kind: 'turn' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('live' as const), early: fc.boolean(), failCommit: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'queued' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'ackFails' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'callFails' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'linkDown' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'linkUp' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'turn' as const }) },
);

/** A CSMS link answering in the next turn; it can be down, or fail its next call (no answer). */
class FlakyLink implements PumpLink {
  state: LinkState = 'connected';
  readonly sent: number[] = [];
  failNext = false;
  private readonly listeners: Array<(s: LinkState, p: LinkState) => void> = [];
  call(_action: string, payload: unknown): Promise<unknown> {
    if (this.state !== 'connected') return Promise.reject(new Error('link down'));
    const fail = this.failNext;
    this.failNext = false;
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        if (fail) return reject(new Error('no answer'));
        this.sent.push((payload as { id: number }).id);
        resolve({});
      }),
    );
  }
  onState(listener: (s: LinkState, p: LinkState) => void): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }
  set(state: LinkState): void {
    const previous = this.state;
    this.state = state;
    for (const l of this.listeners) l(state, previous);
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function run(ops: readonly Op[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pump-prop-'));
  const clock = new FakeClock();
  const store = openStore({ path: join(dir, 'hub.db'), clock });
  const link = new FlakyLink();
  const { pump, faults } = faultablePump(store, link, clock);
  const committed: number[] = [];
  let id = 0;
  let failNextCommit = false;
  store.batch.gateCommits(() => {
    const fail = failNextCommit;
    failNextCommit = false;
    return fail ? Promise.reject(new Error('SQLITE_FULL')) : Promise.resolve();
  });
  const pending: Array<Promise<unknown>> = [];
  try {
    for (const o of ops) {
      if (o.kind === 'live') {
        const mine = ++id;
        store.batch.begin(); // the station's message opens the turn's batch
        const entry = store.outbox.append('CP1', 'MeterValues', { id: mine }, { kind: 'billing' });
        const recorded = store.batch.barrier();
        recorded.then(() => committed.push(mine), () => undefined);
        if (o.failCommit) failNextCommit = true;
        pending.push(pump.tryLive(entry, recorded, { answerBeforeDurable: o.early }));
      } else if (o.kind === 'queued') {
        const mine = ++id;
        // A message the hub queues itself: in the open batch if there is one, else committed at once.
        store.outbox.append('CP1', 'StatusNotification', { id: mine }, { kind: 'periodic' });
        store.batch.barrier().then(() => committed.push(mine), () => undefined);
        pump.kick();
      } else if (o.kind === 'ackFails') faults.failNextAck = true;
      else if (o.kind === 'callFails') link.failNext = true;
      else if (o.kind === 'linkDown') link.set('backoff');
      else if (o.kind === 'linkUp') link.set('connected');
      else await nextTurn();
    }
    await Promise.allSettled(pending);
    await pump.whenIdle(); // the acks still due run with the faults as they are
    await nextTurn();
    // Then a quiet, healthy link: retries come due until the outbox is empty.
    faults.failNextAck = false;
    link.failNext = false;
    failNextCommit = false;
    link.set('connected');
    for (let round = 0; round < 50 && store.outbox.count('CP1') > 0; round++) {
      clock.advanceMs(1000);
      pump.kick();
      await pump.whenIdle();
      await nextTurn();
    }
    await store.batch.barrier();
    expect(store.outbox.count('CP1')).toBe(0);
    const sent = new Set(link.sent);
    expect(committed.filter((m) => !sent.has(m))).toEqual([]);
  } finally {
    pump.stop();
    await store.closeSettled();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('outbox pump: nothing committed is lost', () => {
  it('every committed message reaches the CSMS and the outbox ends empty, whatever fails on the way', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), (ops) => run(ops)),
      { numRuns: 150 },
    );
  });
});
