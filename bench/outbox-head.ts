/**
 * Proxy mode's live path through the outbox pump, back to back on one link: a transaction's
 * periodic message appended in the turn's batch, sent live, answered by the CSMS in a later turn
 * (as over a socket) before its commit's sync, acked once that settles. After each live call the
 * pump drains its link; it knows that every row up to the entry it just sent is dealt with, so
 * while nothing was appended after it the drain asks the outbox nothing. The baseline in the same
 * run voids that knowledge while each call is on the wire (as a rollback would), so every drain
 * queries the head outside the batch, as every drain did before.
 *
 * Reported per path: the live call (append to the CSMS's answer returned, the drain included)
 * p50/p99, and the outbox head queries per call. A real SQLite file in TMPDIR with the hub's
 * checkpoint worker; blocks of calls alternate between the paths.
 *
 * Options: OUTBOX_HEAD_CALLS (per path, default 6,000), OUTBOX_HEAD_BLOCK (default 500).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type Store } from '../src/store/store.js';
import { OutboxPump, type PumpLink } from '../src/upstream/outbox-pump.js';
import type { LinkState } from '../src/upstream/upstream-link.js';
import { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import type { Benchmark, BenchResult } from './bench-types.js';
import { percentile } from './stats.js';

const CALLS = Number(process.env['OUTBOX_HEAD_CALLS'] ?? 6000);
const BLOCK = Number(process.env['OUTBOX_HEAD_BLOCK'] ?? 500);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A connected CSMS link that answers in the next turn; `beforeAnswer` runs just before (the baseline's voiding). */
class NextTurnLink implements PumpLink {
  state: LinkState = 'connected';
  beforeAnswer: (() => void) | undefined;
  call(): Promise<unknown> {
    return new Promise((resolve) =>
      setImmediate(() => {
        this.beforeAnswer?.();
        resolve({});
      }),
    );
  }
  onState(): () => void {
    return () => undefined;
  }
}

interface PathResult {
  callMs: number[];
  queries: number;
}

async function runBlock(store: Store, pump: OutboxPump, link: NextTurnLink, calls: number, voidKnowledge: boolean, out: PathResult, count: { queries: number }): Promise<void> {
  link.beforeAnswer = voidKnowledge ? () => store.outbox.forgetAppended() : undefined;
  for (let i = 0; i < calls; i++) {
    const before = count.queries;
    const t0 = performance.now();
    store.batch.begin(); // the station's message opens the turn's batch
    const entry = store.outbox.append('CP1', 'MeterValues', { transactionId: 1, meterValue: [{ sampledValue: [{ value: String(i) }] }] }, { kind: 'billing' });
    const recorded = store.batch.barrier();
    const outcome = await pump.tryLive(entry, recorded, { answerBeforeDurable: true });
    out.callMs.push(performance.now() - t0);
    out.queries += count.queries - before;
    if (outcome.kind !== 'delivered') throw new Error(`live call ${i} not delivered: ${outcome.kind}`);
    await recorded; // the next message comes after this one's sync (about a round trip later)
    await nextTurn(); // and its ack
  }
}

export const benchmark: Benchmark = {
  name: 'outbox-head',
  workload: 'W2',
  title: "proxy mode's live call through the outbox pump: the drain after it without a head query vs with one",
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-outbox-head-'));
    // As the hub opens it: checkpoints in a worker, on a second connection to the file.
    const store = openStore({ path: join(dir, 'hub.sqlite'), clock: new FakeClock(), checkpointInWorker: { onFailure: (err) => progress(`checkpoint worker failed: ${String(err)}`) } });
    const count = { queries: 0 };
    const oldestSeq = store.outbox.oldestSeq.bind(store.outbox);
    const nextSeqAfter = store.outbox.nextSeqAfter.bind(store.outbox);
    store.outbox.oldestSeq = (link) => (count.queries++, oldestSeq(link));
    store.outbox.nextSeqAfter = (link, seq) => (count.queries++, nextSeqAfter(link, seq));
    const link = new NextTurnLink();
    const pump = new OutboxPump({
      linkName: 'CP1',
      link,
      outbox: store.outbox,
      atomically: (fn) => store.batch.lazily(fn),
      committed: () => store.batch.barrier(),
      clock: new FakeClock(),
      log: silentLogger(),
      retryDelayMs: 1000,
      prepare: (entry) => ({ action: entry.action, payload: entry.payload }),
    });
    const known: PathResult = { callMs: [], queries: 0 };
    const voided: PathResult = { callMs: [], queries: 0 };
    try {
      await runBlock(store, pump, link, BLOCK, false, { callMs: [], queries: 0 }, count); // warm-up
      for (let done = 0; done < CALLS; done += BLOCK) {
        progress(`${done} of ${CALLS} calls per path`);
        await runBlock(store, pump, link, BLOCK, false, known, count);
        await runBlock(store, pump, link, BLOCK, true, voided, count);
      }
    } finally {
      pump.stop();
      await store.closeSettled();
      rmSync(dir, { recursive: true, force: true });
    }
    const rows = (q: number) => ({
      metric: `live call p${q} (append to the CSMS's answer returned, drain included)`,
      value: percentile(known.callMs, q),
      unit: 'ms',
      baseline: { label: 'head queried in every drain', value: percentile(voided.callMs, q) },
      digits: 3,
    });
    return {
      rows: [
        rows(50),
        rows(99),
        { metric: 'outbox head queries per live call', value: known.queries / known.callMs.length, unit: '', baseline: { label: 'head queried in every drain', value: voided.queries / voided.callMs.length }, digits: 2 },
      ],
      notes: [
        `${known.callMs.length} calls per path in blocks of ${BLOCK}, alternating; one link; the CSMS answers in the next turn; each call after the previous one's sync and ack.`,
        "Baseline: the same pump with its knowledge of the link voided while each call is on the wire (outbox.forgetAppended(), as after a rollback), so the drain after it queries the head outside the batch (the tryLive's own check of the head is the one query both paths make).",
      ],
    };
  },
};
