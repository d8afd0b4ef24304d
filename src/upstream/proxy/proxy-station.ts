import { isoTime, type Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { CallContext, CallHandler } from '../../ocpp/rpc-types.js';
import { GenericError, InternalError, RpcClosedError, RpcError } from '../../ocpp/errors.js';
import { ProxyFromCsms } from './proxy-from-csms.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import type { OutboxEntry } from '../../store/outbox-repo.js';
import { runInTransaction } from '../../store/run-in-transaction.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { UpstreamLink } from '../upstream-link.js';
import { OutboxPump } from '../outbox-pump.js';
import { retryAnswer } from '../retry-answer.js';
import type { StationService } from '../../evse/station-service.js';
import { AnswerBeforeDurable } from '../../evse/station-upstream.js';
import type { UpstreamSeqNos } from '../upstream-seq-nos.js';
import { authorizeOffline, cacheCsmsAnswer, idTokenOf } from '../offline-authorizer.js';
import type { ReEnroll } from '../reenroll.js';
import { arrayField, fields, isThenable, numberField, stringField } from '../wire-fields.js';
import { envelopeOf, outboxKindOf, prepareProxyMessage, type ProxyEnvelope } from './proxy-outbox.js';
import type { TxIdMap } from './tx-id-map.js';
import type { Restatements } from './restatements.js';
import type { PreparedMessage, SendMode } from '../outbox-pump.js';
import { statusOf, type RebootRule } from './reboot-rule.js';
import type { CsmsProfiles } from '../csms-profiles.js';
import { answersBeforeDurable, answersWhenWritten, overlapsCommit } from './commit-overlap.js';

export interface ProxyStationDeps {
  stationId: string;
  version: OcppVersion;
  link: UpstreamLink;
  store: Store;
  registry: StationRegistry;
  txIds: TxIdMap;
  /** 1.6 readings that go with their transaction's StopTransaction (restatements.ts). */
  restatements: Restatements;
  reenroll: ReEnroll;
  rebootRule: RebootRule;
  clock: Clock;
  log: Logger;
  unknownIdTokensOffline: 'Accepted' | 'Invalid';
  retryDelayMs: number;
  /** Called after each outbox append (the owner bounds the outbox). */
  appended: () => void;
  /** Answers the CSMS's charging-profile calls: the hub is the only writer of profiles on its EVSEs. */
  csmsProfiles: CsmsProfiles;
  /** Recognises a station's retry of a message already recorded (answered from the record, not queued again). */
  service: Pick<StationService, 'retryOf'>;
  /** Upstream seqNos of 2.x TransactionEvents, given at send time. */
  seqNos: UpstreamSeqNos;
}

/** Actions relayed live when the link is up and answered locally otherwise, never queued. */
const LIVE_ONLY = new Set(['Heartbeat', 'Authorize']);

/** 1.6 transaction messages: marked before they first leave, in the row's own commit (1.6 has no key to recognise a copy). */
const MARKED_16 = new Set(['StartTransaction', 'StopTransaction', 'MeterValues']);

/**
 * Proxy mode for one station: its upstream link (as the station), its outbox pump, what the
 * station sends (relayed, queued or answered locally); what the CSMS sends is ProxyFromCsms's.
 */
export class ProxyStation {
  readonly pump: OutboxPump;
  /** What the CSMS sends the station (it registers itself on the link). */
  readonly fromCsms: ProxyFromCsms;
  private readonly log: Logger;
  /** Settles when the sync of the last message answered before it (answersWhenWritten) settled. */
  private unsynced: Promise<void> | undefined;

  constructor(private readonly deps: ProxyStationDeps) {
    this.log = deps.log.child({ stationId: deps.stationId });
    const { store, stationId, version, txIds } = deps;
    this.pump = new OutboxPump({
      linkName: stationId,
      link: deps.link,
      outbox: store.outbox,
      // The ack and what the answer brought are bookkeeping: durable with the turn's group
      // commit, not before the station's answer (a crash before it re-sends the entry).
      atomically: (fn) => store.batch.lazily(fn),
      clock: deps.clock,
      log: this.log,
      retryDelayMs: deps.retryDelayMs,
      seqNos: deps.seqNos,
      committed: () => store.batch.barrier(),
      prepare: (entry, mode) => this.prepare(entry, mode),
      beforeSend: (entry) => this.beforeSend(entry),
      onDelivered: (entry, result, mode) => this.onDelivered(entry, result, mode),
      onRejected: (entry, error) => store.messages.append(stationId, 'UpstreamRejected', { action: entry.action, payload: entry.payload, code: error.code, description: error.description }),
    });
    this.fromCsms = new ProxyFromCsms({ stationId, version, link: deps.link, registry: deps.registry, txIds, reenroll: deps.reenroll, csmsProfiles: deps.csmsProfiles });
  }

  get link(): UpstreamLink {
    return this.deps.link;
  }

  async stop(): Promise<void> {
    this.pump.stop();
    await this.deps.link.stop();
  }

  /** Station -> CSMS: wraps the standalone handler of one action. */
  handle(action: string, local: CallHandler, ctx: CallContext): Promise<unknown> {
    if (action === 'Authorize') return this.authorize(ctx, local);
    if (LIVE_ONLY.has(action)) return this.liveOrLocal(ctx, local);
    return this.queued(ctx, local);
  }

  /** Station -> CSMS for actions the hub has no standalone answer for: relayed, or GenericError while the CSMS is away. */
  async relayOther(ctx: CallContext): Promise<unknown> {
    try {
      return await this.deps.link.call(ctx.action, ctx.payload);
    } catch (err) {
      if (err instanceof RpcError) throw err;
      throw new GenericError('CSMS unreachable');
    }
  }

  /** Queues a hub-made message (reboot rule) behind everything the station sent. */
  enqueue(action: string, envelope: ProxyEnvelope): void {
    this.deps.store.outbox.append(this.deps.stationId, action, envelope, { kind: outboxKindOf(action, envelope.payload) });
    this.deps.appended();
    this.pump.kick();
  }

  // ---- station -> CSMS --------------------------------------------------------------------

  /**
   * Heartbeat and Authorize: the CSMS's answer while the link is up, else the hub's own. A
   * relayed answer acknowledges nothing the hub wrote, so it does not wait for the sync of
   * writes made before it (another message's, answered before its sync: answersWhenWritten).
   */
  private async liveOrLocal(ctx: CallContext, local: CallHandler): Promise<unknown> {
    if (this.deps.link.state === 'connected') {
      try {
        return new AnswerBeforeDurable(await this.deps.link.call(ctx.action, ctx.payload));
      } catch (err) {
        if (err instanceof RpcError) throw err;
      }
    }
    return local(ctx);
  }

  private async authorize(ctx: CallContext, local: CallHandler): Promise<unknown> {
    const idToken = idTokenOf(ctx.payload);
    if (this.deps.link.state === 'connected') {
      try {
        const result = await this.deps.link.call('Authorize', ctx.payload);
        this.cacheAfterAnswer(idToken, result);
        return new AnswerBeforeDurable(result); // as in liveOrLocal
      } catch (err) {
        if (err instanceof RpcError) throw err;
      }
    }
    await local(ctx); // logs and marks the station seen
    return this.withOfflineAuthorization('Authorize', ctx.payload, {});
  }

  /**
   * The offline authorization cache is not billing data: the CSMS's answer is cached once it has
   * gone back to the station (next turn), as bookkeeping in that turn's group commit
   * (GroupCommit.lazily: no fsync of its own), so that no synchronous fsync sits on the forward
   * path of a live Authorize or holds up the station's next message.
   */
  private cacheAfterAnswer(idToken: string | undefined, result: unknown): void {
    const nowMs = this.deps.clock.nowMs();
    setImmediate(() => {
      const { store } = this.deps;
      if (!store.db.open) return;
      store.batch.lazily(() => cacheCsmsAnswer(store.authorizations, idToken, result, nowMs));
    });
  }

  /**
   * Everything the CSMS must eventually see: recorded locally and written to the outbox in one
   * SQLite transaction, then sent live when the link is up and nothing is queued before it (the
   * CSMS's answer is final), else answered by the hub. The station's answer waits for the commit
   * and sync of that transaction, except for a delivered message answersBeforeDurable (no wait)
   * or answersWhenWritten (the commit, not the sync) names; the live send waits for the commit
   * only where overlapsCommit says so.
   */
  private async queued(ctx: CallContext, local: CallHandler): Promise<unknown> {
    const { action, payload } = ctx;
    const { deps } = this;
    if (action === 'StopTransaction' && deps.version === '1.6' && this.endedByHub(payload)) {
      this.log.info({ transactionId: numberField(payload, 'transactionId') }, 'StopTransaction for a transaction the hub already ended upstream: answered locally');
      return this.withOfflineAuthorization(action, payload, {});
    }
    const retry = deps.service.retryOf(deps.stationId, deps.version, action, payload);
    if (retry) return retryAnswer(deps.version, retry, payload, { repo: deps.store.authorizations, nowMs: deps.clock.nowMs(), unknownIdTokens: deps.unknownIdTokensOffline });
    if (action === 'BootNotification') await deps.link.whenSettled(deps.link.callTimeoutMs);
    const written = runInTransaction(deps.store.db, () => {
      const first = local(ctx);
      return { first, entry: isThenable(first) ? undefined : this.append(action, payload, first) };
    });
    const localAnswer = await written.first;
    const entry = written.entry ?? this.append(action, payload, localAnswer);
    // The commit of the record and its outbox row (this turn's group commit, not yet run).
    const recorded = deps.store.batch.barrier();
    recorded.catch(() => undefined); // awaited below, after the CSMS's answer
    deps.appended();
    const overlap = overlapsCommit(deps.version, action);
    const early = overlap && answersBeforeDurable(deps.version, action, payload);
    // At most one answer per station waits for its sync at a time (answersWhenWritten).
    const committed = overlap && !early && answersWhenWritten(deps.version, action, payload) && deps.seqNos.numbersFromOwn(deps.stationId, action, payload) ? this.writtenAfterEarlierSync(recorded) : undefined;
    committed?.catch(() => undefined); // awaited below, after the CSMS's answer
    const outcome = await this.pump.tryLive(entry, overlap ? recorded : undefined, { answerBeforeDurable: early || committed !== undefined });
    if (outcome.kind === 'local') this.offlineAfterAll(entry);
    if (outcome.kind === 'delivered' && outcome.beforeDurable) {
      // The CSMS holds it. Outside a transaction: answered now, whatever the commit (answersBeforeDurable).
      // A transaction's periodic message: answered once written, before the sync (answersWhenWritten).
      if (committed) {
        await committed.catch((err: unknown) => {
          this.log.error({ err, action }, 'a station message the CSMS answered could not be recorded: answered with an error (the station sends it again)');
          throw new InternalError('the hub could not record the message; send it again');
        });
      }
      return new AnswerBeforeDurable(this.csmsAnswerForStation(action, outcome.result, localAnswer));
    }
    // Never an answer before the message is durable here: a station left without one sends it again.
    await recorded.catch((err: unknown) => {
      this.log.error({ err, action }, 'a station message could not be recorded: answered with an error (the station sends it again)');
      throw new InternalError('the hub could not record the message; send it again');
    });
    if (outcome.kind === 'rejected') throw outcome.error;
    const answer = outcome.kind === 'delivered' ? this.csmsAnswerForStation(action, outcome.result, localAnswer) : this.withOfflineAuthorization(action, payload, localAnswer);
    if (action === 'BootNotification') this.afterBoot(answer);
    const status = action === 'StatusNotification' ? statusOf(deps.version, payload) : undefined;
    if (status) deps.rebootRule.onStatus(deps.stationId, deps.version, status.evseId, status.available, (a, envelope) => this.enqueue(a, envelope));
    return answer;
  }

  /**
   * The wait of a message that may be answered before its sync (answersWhenWritten): its commit
   * written, and the sync of the station's previous such message settled. From now until its own
   * sync (`recorded`) settles, it is the one the station's next such message waits for, so at
   * most one answer per station is ever out before its sync, whichever order the answers leave
   * in. Asked in the turn that wrote the message (written() is that turn's commit).
   */
  private writtenAfterEarlierSync(recorded: Promise<void>): Promise<void> {
    const written = this.deps.store.batch.written();
    written.catch(() => undefined); // a failed commit reaches the caller through the returned promise
    const earlier = this.unsynced;
    const settled = recorded.then(
      () => undefined,
      () => undefined,
    );
    this.unsynced = settled;
    void settled.then(() => {
      if (this.unsynced === settled) this.unsynced = undefined;
    });
    return earlier ? earlier.then(() => written) : written;
  }

  /**
   * A TransactionEvent recorded while the link was up that the hub answered itself because the
   * link went down on its way (no answer, or the link dropped): the CSMS could not be reached
   * when it happened, so its replay is marked offline after all.
   */
  private offlineAfterAll(entry: OutboxEntry): void {
    if (this.deps.link.state === 'connected' || fields(entry.payload)['recordedOnline'] !== true) return;
    // The row as it is now (compaction may have merged others into it meanwhile), if still there.
    const row = this.deps.store.outbox.entry(entry.seq);
    if (!row) return;
    const { recordedOnline: _online, ...rest } = fields(row.payload);
    this.deps.store.outbox.rewrite(entry.seq, rest);
  }

  private append(action: string, payload: unknown, localAnswer: unknown): OutboxEntry {
    const hubTransactionId = action === 'StartTransaction' ? numberField(localAnswer, 'transactionId') : undefined;
    const online = action === 'TransactionEvent' && this.deps.link.state === 'connected';
    const envelope: ProxyEnvelope = { payload, ...(hubTransactionId !== undefined ? { hubTransactionId } : {}), ...(online ? { recordedOnline: true } : {}) };
    return this.deps.store.outbox.append(this.deps.stationId, action, envelope, { kind: outboxKindOf(action, payload) });
  }

  /** The CSMS's answer is final; a 1.6 station keeps the hub's transaction id. */
  private csmsAnswerForStation(action: string, result: unknown, localAnswer: unknown): unknown {
    if (action === 'StartTransaction') return { ...fields(result), transactionId: numberField(localAnswer, 'transactionId') };
    return result;
  }

  /** The hub's own answer: the standalone one, with the offline authorization policy where it names a token. */
  private withOfflineAuthorization(action: string, payload: unknown, localAnswer: unknown): unknown {
    const idToken = idTokenOf(payload);
    if (idToken === undefined || !['Authorize', 'StartTransaction', 'StopTransaction', 'TransactionEvent'].includes(action)) return localAnswer;
    const { status } = authorizeOffline(this.deps.store.authorizations, idToken, this.deps.clock.nowMs(), this.deps.unknownIdTokensOffline);
    const key = this.deps.version === '1.6' ? 'idTagInfo' : 'idTokenInfo';
    return { ...fields(localAnswer), [key]: { status } };
  }

  private onDelivered(entry: OutboxEntry, result: unknown, mode: 'live' | 'replay'): void {
    const env = envelopeOf(entry.payload);
    const { stationId } = this.deps;
    if (entry.action === 'StartTransaction' && env.hubTransactionId !== undefined) {
      const csmsId = numberField(result, 'transactionId');
      if (csmsId !== undefined) this.deps.txIds.set(stationId, env.hubTransactionId, csmsId);
      const status = stringField(fields(result)['idTagInfo'], 'status');
      if (mode === 'replay' && status !== 'Accepted') this.log.warn({ hubTransactionId: env.hubTransactionId, csmsTransactionId: csmsId, status }, 'CSMS did not accept an id tag of a transaction started offline');
    }
    if (this.deps.version === '1.6' && entry.action === 'StopTransaction') {
      const hubId = numberField(env.payload, 'transactionId');
      if (hubId !== undefined) this.deps.restatements.clear(stationId, hubId);
      if (hubId !== undefined) this.deps.rebootRule.forgetPossibleLoss(stationId, String(hubId));
    }
    const ended = entry.action === 'TransactionEvent' && stringField(env.payload, 'eventType') === 'Ended' ? stringField(fields(env.payload)['transactionInfo'], 'transactionId') : undefined;
    if (ended !== undefined) this.deps.rebootRule.forgetPossibleLoss(stationId, ended);
    this.possibleDuplicate(entry, result);
    cacheCsmsAnswer(this.deps.store.authorizations, idTokenOf(env.payload), result, this.deps.clock.nowMs());
  }

  /**
   * 1.6 Start/Stop/MeterValues: the CSMS cannot tell a second copy from a new message. Before its
   * first send the row is marked, in the same commit as the row when it goes live (a row that
   * exists after a crash carries its mark; a Start waits for that commit, a live MeterValues or
   * Stop does not: overlapsCommit), durable before it leaves on a replay; taken
   * back when the send failed because the link was down (nothing left). A marked row still in the
   * outbox is one that left without its answer being committed (the hub was killed, the link
   * dropped, the answer timed out): it may be at the CSMS or not (see prepare).
   */
  private beforeSend(entry: OutboxEntry): (() => void) | undefined {
    if (this.deps.version !== '1.6' || !MARKED_16.has(entry.action) || envelopeOf(entry.payload).sentMs !== undefined) return undefined;
    const { outbox } = this.deps.store;
    outbox.rewrite(entry.seq, { ...fields(entry.payload), sentMs: this.deps.clock.nowMs() });
    return () => outbox.rewrite(entry.seq, entry.payload);
  }

  /**
   * What a row becomes on the wire. A marked 1.6 MeterValues of a transaction whose Stop has not
   * gone up yet is not sent again: its readings go with that Stop's transactionData, so the CSMS
   * gets them whether or not the first copy arrived, and never a second MeterValues it cannot
   * recognise (restatements.ts). Everything else as prepareProxyMessage says; a marked Start or
   * Stop is sent again identical and reported (possibleDuplicate): losing either is worse.
   */
  private prepare(entry: OutboxEntry, mode: SendMode): PreparedMessage {
    const { stationId, version, txIds, restatements } = this.deps;
    const env = envelopeOf(entry.payload);
    const hubId = numberField(env.payload, 'transactionId');
    if (version === '1.6' && entry.action === 'MeterValues' && env.sentMs !== undefined && hubId !== undefined && txIds.csmsIdOf(stationId, hubId) !== undefined && this.stopStillToCome(hubId)) {
      const meterValues = arrayField(env.payload, 'meterValue');
      return {
        settle: `a MeterValues that left at ${isoTime(env.sentMs)} without an answer: its readings go with the StopTransaction of hub transaction ${hubId}`,
        apply: () => {
          restatements.add(stationId, hubId, meterValues);
          this.deps.store.messages.append(stationId, 'UpstreamRestatedInStop', { action: entry.action, payload: env.payload, hubTransactionId: hubId, firstSentMs: env.sentMs });
        },
      };
    }
    return prepareProxyMessage(stationId, version, entry, mode, txIds, restatements);
  }

  /** Whether the 1.6 transaction's StopTransaction is still to go up (the station's, or the hub's own after a reboot). */
  private stopStillToCome(hubId: number): boolean {
    const { store, stationId } = this.deps;
    if (store.transactions.get(stationId, String(hubId))?.status === 'Active') return true;
    return store.outbox.hasRowWith(stationId, 'StopTransaction', '$.payload.transactionId', hubId);
  }

  /**
   * The CSMS answered a 1.6 message that had left before without an answer being committed
   * (the hub was killed, or the link dropped): the CSMS may hold it twice. It was sent identical
   * (a CSMS that recognises a repeat by its content, or a repeated Stop by its transaction id,
   * can drop it); reported once, with a warning and a message-log row `UpstreamPossibleDuplicate`.
   * A repeated Start is the one a CSMS is least likely to recognise: a second transaction.
   */
  private possibleDuplicate(entry: OutboxEntry, result: unknown): void {
    const env = envelopeOf(entry.payload);
    if (this.deps.version !== '1.6' || !MARKED_16.has(entry.action) || env.sentMs === undefined) return;
    const csmsTransactionId = entry.action === 'StartTransaction' ? numberField(result, 'transactionId') : undefined;
    const report = { action: entry.action, payload: env.payload, hubTransactionId: env.hubTransactionId ?? numberField(env.payload, 'transactionId'), csmsTransactionId, firstSentMs: env.sentMs };
    this.log.warn(report, `${entry.action} answered after an earlier send without an answer: the CSMS may hold it twice`);
    this.deps.store.messages.append(this.deps.stationId, 'UpstreamPossibleDuplicate', report);
  }

  private endedByHub(payload: unknown): boolean {
    const hubId = numberField(payload, 'transactionId');
    return hubId !== undefined && this.deps.rebootRule.endedByHub(this.deps.stationId, hubId);
  }

  private afterBoot(answer: unknown): void {
    if (stringField(answer, 'status') !== 'Accepted') return;
    const { stationId, version } = this.deps;
    this.deps.rebootRule.onBoot(stationId, version, (action, envelope) => this.enqueue(action, envelope));
    // After the answer has gone out: the station only takes calls once it is accepted.
    setImmediate(() => {
      void this.deps.reenroll.reapply(stationId, version, (action, payload) => {
        const session = this.deps.registry.get(stationId);
        if (!session?.isOpen) return Promise.reject(new RpcClosedError(action));
        return session.peer.call(action, payload);
      });
    });
  }
}
