import type { Logger } from '../util/logger.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import { planCompaction, type OutboxPayloadCodec } from './outbox-compaction.js';
import type { AbsorbedSeqNos } from './upstream-seq-nos.js';

/** Checks the bound every this many appends (the check reads the whole table). */
const CHECK_EVERY = 100;
/** Compaction starts when the outbox reaches this share of its bound ("the bound nears"). */
const COMPACT_AT = 0.8;
/** At most this share of the free disk space (plus what the outbox holds) is the outbox's. */
const FREE_SPACE_SHARE = 0.5;
/** Compaction reads every row: after one, the next waits until the outbox grew by this share. */
const REGROW_SHARE = 0.1;
/** meterValue entries in one merged message at most (keeps frames well below CSMS limits). */
export const MAX_METER_VALUES_PER_MESSAGE = 120;

/**
 * How full the outbox is: `normal` below 80 % of the bound; `compacting` once it passed that
 * (periodic readings are merged); `over` when even after compaction it is above the bound: then
 * billing rows are KEPT (never dropped) and an error is logged at each check.
 */
export type OutboxPressure = 'normal' | 'compacting' | 'over';

export interface OutboxPressureView {
  rows: number;
  payloadBytes: number;
  /** The bound in force: min(configured bytes, half the free disk space + what the outbox holds). */
  boundBytes: number;
  maxRows: number;
  pressure: OutboxPressure;
  /** Since start: compaction runs, rows merged into earlier ones, superseded statuses dropped. */
  compactions: number;
  rowsMerged: number;
  statusesDropped: number;
  /** created_ms of the oldest undelivered message. */
  oldestCreatedMs?: number;
}

export interface OutboxBoundDeps {
  outbox: OutboxRepo;
  /** Configured upper bound of the outbox's payload bytes. */
  maxBytes: number;
  /** Configured upper bound of rows (a second guard; the bytes bound is the main one). */
  maxRows: number;
  /** Free bytes on the database's file system now, undefined when unknown (in-memory database). */
  freeBytes: () => number | undefined;
  /** How the link's rows store payloads. */
  codec: OutboxPayloadCodec;
  /** Seqs that must not be touched now (the pump's in-flight rows; each link's oldest row is never touched either). */
  busySeqs: () => ReadonlySet<number>;
  /** Records the seqNos a compaction absorbed (UpstreamSeqNos.absorb), in the compaction's own SQLite transaction. */
  absorbed?: (link: string, absorbed: readonly AbsorbedSeqNos[]) => void;
  log: Logger;
}

/**
 * Keeps the outbox within a bound sized from the disk, without ever dropping a billing
 * message: when the bound nears, periodic readings of one transaction are merged into fewer
 * messages (outbox-compaction.ts; each reading keeps its timestamp); then, only if that was not
 * enough, superseded status notifications are dropped. Transaction messages are never dropped.
 */
export class OutboxBound {
  private sinceCheck = 0;
  private compactions = 0;
  private rowsMerged = 0;
  private statusesDropped = 0;
  /** Rows right after the last compaction (undefined: none yet). */
  private rowsAfterCompaction: number | undefined;

  constructor(private readonly deps: OutboxBoundDeps) {}

  appended(): void {
    if (++this.sinceCheck < CHECK_EVERY) return;
    this.sinceCheck = 0;
    this.check();
  }

  /** Measures, compacts when the bound nears, and returns the state after it. */
  check(): OutboxPressureView {
    let view = this.measure();
    if (view.pressure === 'normal') {
      this.rowsAfterCompaction = undefined;
      return view;
    }
    // Nothing much new since the last compaction: merging again would read every row for little.
    if (this.rowsAfterCompaction !== undefined && view.rows < this.rowsAfterCompaction * (1 + REGROW_SHARE) + CHECK_EVERY) {
      if (view.pressure === 'over') this.logOver(view);
      return view;
    }
    this.compact(false);
    view = this.measure();
    if (view.pressure === 'over') {
      this.compact(true);
      view = this.measure();
    }
    this.rowsAfterCompaction = view.rows;
    if (view.pressure === 'over') this.logOver(view);
    return view;
  }

  private logOver(view: OutboxPressureView): void {
    this.deps.log.error({ rows: view.rows, payloadBytes: view.payloadBytes, boundBytes: view.boundBytes }, 'outbox over its bound after compaction: billing messages are kept, the disk keeps filling');
  }

  /** The state now, measured without compacting (API, metrics). */
  view(): OutboxPressureView {
    return this.measure();
  }

  private measure(): OutboxPressureView {
    const stats = this.deps.outbox.stats();
    const free = this.deps.freeBytes();
    const boundBytes = free === undefined ? this.deps.maxBytes : Math.min(this.deps.maxBytes, Math.floor(free * FREE_SPACE_SHARE) + stats.payloadBytes);
    const share = Math.max(stats.payloadBytes / Math.max(1, boundBytes), stats.rows / Math.max(1, this.deps.maxRows));
    const pressure: OutboxPressure = share > 1 ? 'over' : share >= COMPACT_AT ? 'compacting' : 'normal';
    return {
      rows: stats.rows,
      payloadBytes: stats.payloadBytes,
      boundBytes,
      maxRows: this.deps.maxRows,
      pressure,
      compactions: this.compactions,
      rowsMerged: this.rowsMerged,
      statusesDropped: this.statusesDropped,
      ...(stats.oldestCreatedMs !== undefined ? { oldestCreatedMs: stats.oldestCreatedMs } : {}),
    };
  }

  private compact(dropSupersededStatuses: boolean): void {
    const { outbox } = this.deps;
    const skipSeqs = this.deps.busySeqs();
    let merged = 0;
    let dropped = 0;
    for (const link of outbox.links()) {
      const rows = outbox.all(link);
      // A link's oldest row may have left already (a pump sends only its head), in this process
      // or before a crash: changed, it would go up again under the same key (2.x seqNo) with other
      // content, or as a different copy of a 1.6 message the CSMS may already hold.
      const head = rows[0]?.seq;
      const skip = head === undefined ? skipSeqs : new Set([...skipSeqs, head]);
      const plan = planCompaction(rows, this.deps.codec, { skipSeqs: skip, maxMeterValuesPerMessage: MAX_METER_VALUES_PER_MESSAGE, dropSupersededStatuses });
      if (plan.remove.length === 0) continue;
      const absorbed = this.deps.absorbed;
      outbox.compact(plan.rewrite, plan.remove, absorbed && plan.absorbed.length > 0 ? () => absorbed(link, plan.absorbed) : undefined);
      merged += plan.merged;
      dropped += plan.statusesDropped;
    }
    this.compactions++;
    this.rowsMerged += merged;
    this.statusesDropped += dropped;
    this.deps.log.warn({ merged, statusesDropped: dropped }, 'outbox near its bound: compacted');
  }
}
