import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { RetentionRepo } from './retention-repo.js';
import { retentionCutoffs, type RetentionPolicy } from './retention-policy.js';

export interface RetentionJobDeps {
  db: Database.Database;
  clock: Clock;
  log: Logger;
  policy: RetentionPolicy;
  /** How often the job runs, ms. */
  intervalMs: number;
  /** Delay of the first run after start, ms; default the smaller of intervalMs and one minute. */
  firstRunDelayMs?: number;
  /** Rows per delete batch (one short SQLite transaction each). */
  batchRows: number;
  /** Lets the event loop run between batches; default: setImmediate. */
  yieldToEventLoop?: () => Promise<void>;
  /** Called after a batch deleted transaction events or transactions (what remembers them must forget). */
  onEventsDeleted?: () => void;
}

/** Rows deleted by one run, per kind. */
export interface PruneResult {
  messageLog: number;
  meterSamples: number;
  transactionEvents: number;
  transactions: number;
  powerHistory: number;
}

/**
 * Prunes the database by the retention policy, on the injected clock: the first run shortly
 * after start (a hub that restarts often still prunes), then every interval. A run deletes in small batches and lets the event
 * loop run between them, so stations' messages are handled while it works and no write waits
 * long for the database lock.
 */
export class RetentionJob {
  private readonly repo: RetentionRepo;
  private readonly yieldToEventLoop: () => Promise<void>;
  private timer: TimerHandle | undefined;
  private running: Promise<PruneResult> | undefined;
  /** Timers are armed (between start and stop). */
  private active = false;
  /** stop() was called: a run in progress ends after its current batch. */
  private cancelled = false;

  constructor(private readonly deps: RetentionJobDeps) {
    this.repo = new RetentionRepo({ db: deps.db });
    this.yieldToEventLoop = deps.yieldToEventLoop ?? (() => new Promise((resolve) => setImmediate(resolve)));
  }

  start(): void {
    this.active = true;
    this.cancelled = false;
    this.schedule(this.deps.firstRunDelayMs ?? Math.min(this.deps.intervalMs, 60_000));
  }

  /** Cancels the next run and waits for one in progress (it stops after its current batch). */
  async stop(): Promise<void> {
    this.active = false;
    this.cancelled = true;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** The run in progress, if any (tests wait on it after advancing the clock). */
  idle(): Promise<unknown> {
    return this.running ?? Promise.resolve();
  }

  /** One pass over every kind of data; resolves with what it deleted. */
  runOnce(): Promise<PruneResult> {
    this.running ??= this.prune().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(delayMs: number = this.deps.intervalMs): void {
    if (!this.active) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.schedule();
      this.runOnce().catch((err: unknown) => this.deps.log.error({ err }, 'retention: pruning failed; will try again'));
    }, delayMs);
  }

  private async prune(): Promise<PruneResult> {
    const cut = retentionCutoffs(this.deps.clock.nowMs(), this.deps.policy, this.repo.oldestUndeliveredMs());
    const transactionsMs = cut.transactionsMs;
    const result: PruneResult = {
      // Samples before events and events before transactions: each batch stays small (no cascades of thousands of rows).
      meterSamples: await this.inBatches((n) => this.repo.deleteMeterSamples(cut.meterSamplesMs, n)),
      transactionEvents: await this.inBatches((n) => this.deletedEvents(this.repo.deleteTransactionEvents(cut.transactionEventsMs, n))),
      // Deleting a transaction deletes its events (foreign key, ON DELETE CASCADE).
      transactions: transactionsMs === undefined ? 0 : await this.inBatches((n) => this.deletedEvents(this.repo.deleteTransactions(transactionsMs, n))),
      messageLog: await this.inBatches((n) => this.repo.deleteMessageLog(cut.messageLogMs, n)),
      powerHistory: await this.inBatches((n) => this.repo.deletePowerHistory({ fineMs: cut.finePowerHistoryMs, coarseMs: cut.powerHistoryMs }, n)),
    };
    if (result.meterSamples + result.transactionEvents + result.transactions + result.messageLog + result.powerHistory > 0) {
      this.deps.log.info({ deleted: result }, 'retention: pruned old data');
    }
    return result;
  }

  /** Passes on a batch's count; tells whoever remembers events when some went. */
  private deletedEvents(n: number): number {
    if (n > 0) this.deps.onEventsDeleted?.();
    return n;
  }

  private async inBatches(deleteBatch: (limit: number) => number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = deleteBatch(this.deps.batchRows);
      total += n;
      if (n < this.deps.batchRows || this.cancelled) break;
      await this.yieldToEventLoop();
    }
    return total;
  }
}
