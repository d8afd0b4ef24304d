import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { RpcClosedError, RpcError } from '../ocpp/errors.js';
import type { OutboxEntry, OutboxRepo } from '../store/outbox-repo.js';
import { UpstreamUnavailableError, type LinkState } from './upstream-link.js';
import type { UpstreamSeqNos } from './upstream-seq-nos.js';

/** What the pump needs of a link (UpstreamLink has it). */
export interface PumpLink {
  readonly state: LinkState;
  call(action: string, payload: unknown): Promise<unknown>;
  onState(listener: (state: LinkState, previous: LinkState) => void): () => void;
}

/**
 * What goes on the wire for an outbox entry, or why it is dropped instead, or how it is settled
 * without being sent. 'live': the entry was just written and is sent while the station waits
 * for its answer; 'replay': it was answered locally and is sent later (2.x TransactionEvents
 * are then marked offline).
 * - `skip`: the entry cannot be sent (an error, logged); it is dropped.
 * - `settle`: the entry is not sent as it is; `apply` moves its content elsewhere (proxy mode: a
 *   1.6 MeterValues that may already be at the CSMS goes with its transaction's Stop) and runs
 *   in the same SQLite transaction as the entry's removal, so the content is never in both
 *   places or in neither.
 */
export type PreparedMessage = { action: string; payload: unknown } | { skip: string } | { settle: string; apply: () => void };
export type SendMode = 'live' | 'replay';

/** Outcome of trying to deliver an entry while its station waits. */
export type LiveOutcome =
  /**
   * The CSMS answered with a CALLRESULT. `beforeDurable`: it was answered before the row's
   * commit settled (tryLive's `answerBeforeDurable`); the ack follows once that commit settles.
   */
  | { kind: 'delivered'; result: unknown; beforeDurable: boolean }
  /** The CSMS answered with a CALLERROR: final, the entry is dropped. */
  | { kind: 'rejected'; error: RpcError }
  /** Not sent, no answer, dropped as unsendable or settled without sending: the caller answers locally (a queued entry is replayed later). */
  | { kind: 'local' };

export interface OutboxPumpDeps {
  /** The outbox link key (station id in proxy mode, site identity in hub mode). */
  linkName: string;
  link: PumpLink;
  outbox: OutboxRepo;
  /**
   * Runs fn (the ack with onDelivered / onRejected) in one SQLite transaction. It need not be on
   * disk when it returns: proxy mode passes the store's `batch.lazily` (committed at the end of
   * the turn, without an fsync of its own when nothing else joined the batch; see GroupCommit),
   * so that the station's answer does not wait for a second fsync. A crash of the process before
   * that commit, or a power cut before the next fsync'd one, undoes it as a whole: the entry is
   * sent again with the same upstream seqNo (and a 1.6 StartTransaction, marked by beforeSend, is
   * reported as a possible duplicate).
   */
  atomically: <T>(fn: () => T) => T;
  clock: Clock;
  log: Logger;
  /** Builds the wire message for an entry (rewrites ids, marks offline, ...). */
  prepare(entry: OutboxEntry, mode: SendMode): PreparedMessage;
  /** Told the CSMS's result; runs in the same SQLite transaction as the ack (persist id mappings here). */
  onDelivered?(entry: OutboxEntry, result: unknown, mode: SendMode): void;
  /**
   * Called before the entry leaves, before the wait for the commit, so that a note written here
   * is durable before the CSMS can have the message (proxy mode marks 1.6 StartTransactions:
   * a copy the CSMS may already have is then known as such after a crash or a lost answer).
   * For a live entry sent with `recorded` (tryLive), the note joins the row's own commit instead:
   * durable exactly when the row is.
   * May return an undo, called when the message provably did not leave (the link was down, or
   * closed while the call still waited its turn).
   */
  beforeSend?(entry: OutboxEntry, mode: SendMode): (() => void) | undefined;
  /** Told when the CSMS refused an entry with a CALLERROR; the entry is then dropped (never blocks the queue). */
  onRejected?(entry: OutboxEntry, error: RpcError, mode: SendMode): void;
  /**
   * Resolves once every write so far is committed (the store's group commit barrier). A
   * replayed entry, and a live one sent without `recorded` (tryLive), leaves only once the row it
   * comes from is durable: a crash during that commit would otherwise lose a message the CSMS
   * may already have, and the station's retry would be a second copy. Proxy mode overlaps that
   * commit with the CSMS round trip for the live messages whose repeat the CSMS can recognise
   * or a direct connection produces too (overlapsCommit in proxy/commit-overlap.ts); never for
   * a replay.
   */
  committed?: () => Promise<void>;
  /** Gives 2.x TransactionEvents their upstream seqNo at send time (upstream-seq-nos.ts). */
  seqNos?: UpstreamSeqNos;
  /** Wait before retrying after a timeout while the link stays up, ms. */
  retryDelayMs: number;
}

/**
 * Delivers one link's outbox to the CSMS in seq order, one message at a time, at least once:
 * an entry is acknowledged (deleted) only after the CSMS's CALLRESULT, in the same SQLite
 * transaction as onDelivered. A crash between the CSMS's answer and that commit (in proxy mode
 * the group commit at the end of the turn, after the station's answer) re-sends the entry
 * after restart (the CSMS dedups 2.x TransactionEvents on transactionId + seqNo; see
 * the README for 1.6). Draining starts when the link connects and whenever kick() is called.
 */
export class OutboxPump {
  private running = false;
  private stopped = false;
  private retryTimer: TimerHandle | undefined;
  private readonly unsubscribe: () => void;
  private idleWaiters: Array<() => void> = [];
  private inFlight: number | undefined;
  /** Delivered live entries answered before their row's commit settled, acked once it does (tryLive). */
  private readonly awaitingAck = new Set<number>();
  /**
   * Every row of the link up to `seq` is delivered (acked, or awaiting its ack) or gone: noted
   * by a live send the CSMS answered (that entry was the head, so every older row was dealt
   * with), with the outbox's appendEpoch and the pump's ack failures as they were when it left.
   * It holds while both are unchanged (a rollback brings back deleted rows and hands their seqs
   * out again; a failed ack leaves its row to go again) and nothing was appended after it: then
   * the link has no head and headSeq needs no query. That is the drain after every live call,
   * outside the turn's batch, where the query cost 36 µs (p50) to 260 µs (p99).
   */
  private settledThrough: { seq: number; epoch: number; ackFailures: number } | undefined;
  /** Acks of live entries that failed so far (their rows stay and go again). */
  private ackFailures = 0;

  constructor(private readonly deps: OutboxPumpDeps) {
    this.unsubscribe = deps.link.onState((state) => {
      if (state === 'connected') this.kick();
    });
  }

  /** Messages waiting for this link. */
  get depth(): number {
    return this.deps.outbox.count(this.deps.linkName);
  }

  /** The seq of the entry on the wire now (compaction leaves it alone). */
  get inFlightSeq(): number | undefined {
    return this.inFlight;
  }

  /** The entries compaction must leave alone: the one on the wire and those delivered but not yet acked. */
  get busySeqs(): number[] {
    return [...(this.inFlight === undefined ? [] : [this.inFlight]), ...this.awaitingAck];
  }

  /** True while a replay or a live send is under way. */
  get busy(): boolean {
    return this.running;
  }

  /** True when a new message may go out live: link up, nothing queued before it, nothing in flight. */
  canSendLive(): boolean {
    return !this.stopped && !this.running && this.deps.link.state === 'connected';
  }

  /**
   * Tries to deliver a just-appended entry while its station waits. Only sends when the link is
   * connected, the pump is idle and the entry is the oldest of its link (order!); otherwise the
   * entry stays queued for replay.
   *
   * `recorded`: the commit of the entry's row, already scheduled (its group commit's barrier,
   * taken right after the append). Given, the entry leaves at once and that commit runs while
   * the CSMS answers; the ack waits for both, and a failed commit is never acked (the row is
   * gone with it: outcome 'local', and the caller, who awaits `recorded` before answering the
   * station, answers with an error). Not given, the entry leaves only once `committed()`
   * resolved, as every replayed entry does.
   *
   * `answerBeforeDurable` (only with `recorded`): the CSMS's CALLRESULT is returned as soon as it
   * comes, without waiting for `recorded` (answersBeforeDurable in proxy/commit-overlap.ts says
   * for which messages). The CSMS then holds the message, so it counts as delivered whatever happens to
   * the row's commit: once that commit settles, committed or failed, the ack runs as for any
   * delivered entry (onDelivered, the upstream seqNo, the row's deletion; after a failed commit
   * the row is gone already and nothing is deleted). Until then the row stays in the outbox but
   * is not sent again, and the next entry may go out (the CSMS has answered this one: the order
   * holds).
   */
  async tryLive(entry: OutboxEntry, recorded?: Promise<void>, options: { answerBeforeDurable?: boolean } = {}): Promise<LiveOutcome> {
    if (!this.canSendLive() || this.headSeq() !== entry.seq) {
      this.kick();
      return { kind: 'local' };
    }
    this.running = true;
    const settled = { seq: entry.seq, epoch: this.deps.outbox.appendEpoch, ackFailures: this.ackFailures };
    try {
      const beforeDurable = recorded !== undefined && options.answerBeforeDurable === true;
      const outcome = await this.sendOne(entry, 'live', recorded, beforeDurable);
      if (outcome === 'transient' || outcome === 'skipped' || outcome === 'uncommitted') return { kind: 'local' };
      if (outcome instanceof RpcError) return { kind: 'rejected', error: outcome };
      this.settledThrough = settled;
      return { kind: 'delivered', result: outcome.result, beforeDurable: outcome.beforeDurable };
    } finally {
      this.running = false;
      this.kick();
    }
  }

  /** Starts draining when possible (idempotent). */
  kick(): void {
    if (this.running || this.stopped || this.deps.link.state !== 'connected') {
      if (!this.running) this.notifyIdle();
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      this.notifyIdle();
    });
  }

  /** Resolves once nothing is in flight (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (!this.running && this.awaitingAck.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.deps.clock.clearTimeout(this.retryTimer);
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && this.deps.link.state === 'connected') {
        const seq = this.headSeq();
        if (seq === undefined) return;
        const head = this.deps.outbox.entry(seq);
        if (!head) return; // cannot happen: read in the same turn as its seq
        const outcome = await this.sendOne(head, 'replay');
        if (outcome === 'transient') {
          this.scheduleRetry();
          return;
        }
      }
    } catch (err) {
      this.deps.log.error({ err, link: this.deps.linkName }, 'outbox replay failed');
      this.scheduleRetry();
    }
  }

  /**
   * The seq of the link's oldest entry that is not delivered already (awaiting its ack). Only
   * the seq: a live message needs no more, and the rows are read from the index alone.
   */
  private headSeq(): number | undefined {
    const { outbox, linkName } = this.deps;
    const last = outbox.lastAppendedSeq(linkName);
    const settled = this.settledThrough;
    if (settled && last !== undefined && last <= settled.seq && settled.epoch === outbox.appendEpoch && settled.ackFailures === this.ackFailures) return undefined;
    // The entries awaiting their ack are the link's oldest (each was the head when it left).
    let seq = outbox.oldestSeq(linkName);
    while (seq !== undefined && this.awaitingAck.has(seq)) seq = outbox.nextSeqAfter(linkName, seq);
    return seq;
  }

  /** Sends one entry; acks it unless the failure is transient (no answer, link down). */

  private async sendOne(entry: OutboxEntry, mode: SendMode, recorded?: Promise<void>, beforeDurable = false): Promise<{ result: unknown; beforeDurable: boolean } | RpcError | 'transient' | 'skipped' | 'uncommitted'> {
    const { deps } = this;
    const built = deps.prepare(entry, mode);
    if ('settle' in built) {
      deps.log.info({ link: deps.linkName, seq: entry.seq, action: entry.action, reason: built.settle }, 'outbox entry settled without sending');
      deps.atomically(() => {
        built.apply();
        deps.outbox.ack(entry.seq);
      });
      return 'skipped';
    }
    const prepared = 'skip' in built || !deps.seqNos ? built : { action: built.action, payload: deps.seqNos.onWire(deps.linkName, built.action, built.payload) };
    if ('skip' in prepared) {
      deps.log.error({ link: deps.linkName, seq: entry.seq, action: entry.action, reason: prepared.skip }, 'outbox entry cannot be sent: dropped');
      deps.outbox.ack(entry.seq);
      return 'skipped';
    }
    this.inFlight = entry.seq;
    // Whether the row's commit (overlapped with the call) failed: then nothing may be acked.
    const uncommitted = async (): Promise<boolean> => {
      if (!recorded) return false;
      const failed = await recorded.then(
        () => false,
        () => true,
      );
      if (failed) deps.log.error({ link: deps.linkName, seq: entry.seq, action: prepared.action }, 'outbox entry left while its commit ran, and the commit failed: not acknowledged (the station is answered with an error and sends it again)');
      return failed;
    };
    try {
      const undo = deps.beforeSend?.(entry, mode);
      if (!recorded) await deps.committed?.();
      const result = await deps.link.call(prepared.action, prepared.payload).catch((err: unknown) => {
        if (err instanceof UpstreamUnavailableError || (err instanceof RpcClosedError && err.neverSent)) undo?.();
        throw err;
      });
      const ack = (): void =>
        deps.atomically(() => {
          deps.onDelivered?.(entry, result, mode);
          deps.seqNos?.delivered(deps.linkName, prepared.action, prepared.payload);
          deps.outbox.ack(entry.seq);
        });
      if (beforeDurable && recorded) {
        this.ackOnceSettled(entry, prepared.action, recorded, ack);
        return { result, beforeDurable: true };
      }
      if (await uncommitted()) return 'uncommitted';
      ack();
      if (mode === 'replay') deps.log.debug({ link: deps.linkName, seq: entry.seq, action: prepared.action }, 'outbox entry replayed');
      return { result, beforeDurable: false };
    } catch (err) {
      if (!(err instanceof RpcError)) {
        deps.log.info({ link: deps.linkName, seq: entry.seq, action: prepared.action, err: err instanceof Error ? err.message : String(err) }, 'outbox entry kept for a later replay');
        return 'transient';
      }
      if (await uncommitted()) return 'uncommitted';
      deps.log.error({ link: deps.linkName, seq: entry.seq, action: prepared.action, code: err.code, description: err.description }, 'CSMS refused an outbox entry: dropped');
      deps.atomically(() => {
        deps.onRejected?.(entry, err, mode);
        // A refused message consumes no upstream seqNo (upstream-seq-nos.ts): `built` has the own one.
        if (!('skip' in built)) deps.seqNos?.notSent(deps.linkName, built.action, built.payload);
        deps.outbox.ack(entry.seq);
      });
      return err;
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * The ack of an entry the CSMS answered before its row's commit settled: run once that commit
   * settles, whether it succeeded or failed (the CSMS has the message either way; a failed commit
   * took the row with it, and the ack then deletes nothing). Meanwhile the entry is not sent again.
   */
  private ackOnceSettled(entry: OutboxEntry, action: string, recorded: Promise<void>, ack: () => void): void {
    const { deps } = this;
    this.awaitingAck.add(entry.seq);
    void recorded
      .then(
        () => undefined,
        (err: unknown) =>
          deps.log.warn(
            { link: deps.linkName, seq: entry.seq, action, err: err instanceof Error ? err.message : String(err) },
            'the commit of an outbox entry failed after the CSMS had answered it: the CSMS holds it and the station got its answer; nothing is sent again',
          ),
      )
      .then(ack)
      .catch((err: unknown) => {
        this.ackFailures++; // the row stays: headSeq must find it again
        deps.log.error({ err, link: deps.linkName, seq: entry.seq, action }, 'could not acknowledge a delivered outbox entry: it is sent again later');
      })
      .finally(() => {
        this.awaitingAck.delete(entry.seq);
        this.kick();
      });
  }

  private scheduleRetry(): void {
    if (this.stopped || this.deps.link.state !== 'connected') return;
    this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.deps.retryDelayMs);
  }

  private notifyIdle(): void {
    if (this.awaitingAck.size > 0) return; // idle once those acks ran too (ackOnceSettled kicks)
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
