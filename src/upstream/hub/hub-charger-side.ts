import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { CallContext, CallHandler } from '../../ocpp/rpc-types.js';
import { InternalError, RpcClosedError } from '../../ocpp/errors.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { OutboxPump } from '../outbox-pump.js';
import { retryAnswer } from '../retry-answer.js';
import type { StationService } from '../../evse/station-service.js';
import type { ReEnroll } from '../reenroll.js';
import { statusOf, type RebootRule } from '../proxy/reboot-rule.js';
import type { ProxyEnvelope } from '../proxy/proxy-outbox.js';
import { authorizeOffline, cacheCsmsAnswer, idTokenOf } from '../offline-authorizer.js';
import { isThenable, numberField, stringField } from '../wire-fields.js';
import { answerCharger, chargerAway, chargerBack, dueResets, fromCharger, resetsAfterBoot, type ChargerAnswerPlan, type HubModeConfig } from '../hub-mode/index.js';
import type { HubJournal, Journaled } from './hub-journal.js';
import type { HubStateStore } from './hub-state-store.js';
import type { DeliveryWaiters } from './delivery-waiters.js';
import type { SiteBoot } from './site-boot.js';
import type { HubBlocks } from './hub-blocks.js';

/** A charger waits for the CSMS's answer only when at most this many messages are queued before its own. */
const LIVE_QUEUE_MAX = 20;

export interface HubChargerSideDeps {
  config: HubModeConfig;
  /** The outbox link key: the site identity. */
  linkName: string;
  store: Store;
  states: HubStateStore;
  journal: HubJournal;
  gate: SiteBoot;
  pump: OutboxPump;
  waiters: DeliveryWaiters;
  registry: StationRegistry;
  reenroll: ReEnroll;
  rebootRule: RebootRule;
  /** Functional blocks that take some follow-up messages (firmware, log, report streams, ...). */
  blocks: HubBlocks;
  callTimeoutMs: number;
  /** Recognises a charger's retry of a message already recorded (answered from the record, not translated again). */
  service: Pick<StationService, 'retryOf'>;
  unknownIdTokensOffline: 'Accepted' | 'Invalid';
  clock: Clock;
  log: Logger;
}

interface Step {
  answer: ChargerAnswerPlan;
  journaled: Journaled[];
}

/**
 * Hub mode, charger -> CSMS. Every CALL of a downstream charger is recorded locally (the
 * standalone handler), translated (fromCharger) and its upstream messages written to the outbox
 * in the same SQLite transaction, before the charger is answered. The answer is the CSMS's when
 * the charger's answer depends on it and the CSMS answers in time, else the hub's own
 * (answerCharger with the offline authorization). Downstream boots and heartbeats stay local.
 */
export class HubChargerSide {
  constructor(private readonly deps: HubChargerSideDeps) {}

  async handle(stationId: string, version: OcppVersion, action: string, local: CallHandler, ctx: CallContext): Promise<unknown> {
    const { deps } = this;
    if (action === 'BootNotification') {
      const answer = await local(ctx);
      this.afterBoot(stationId, version, answer);
      return answer;
    }
    if (version === '1.6' && action === 'StopTransaction' && this.endedByHub(stationId, ctx.payload)) {
      deps.log.info({ stationId, transactionId: numberField(ctx.payload, 'transactionId') }, 'StopTransaction for a transaction the hub already ended upstream: answered locally');
      return answerCharger({ kind: 'stopTransaction16', withIdTagInfo: idTokenOf(ctx.payload) !== undefined }, this.localInput(ctx.payload));
    }
    const retry = deps.service.retryOf(stationId, version, action, ctx.payload);
    if (retry) return retryAnswer(version, retry, ctx.payload, { repo: deps.store.authorizations, nowMs: deps.clock.nowMs(), unknownIdTokens: deps.unknownIdTokensOffline });
    deps.blocks.observe(stationId, version, action, ctx.payload);
    if (deps.blocks.handlesCharger(action)) {
      const taken = await this.byBlock(stationId, version, action, local, ctx);
      if (taken !== undefined) return taken;
    }
    const receivedMs = deps.clock.nowMs();
    const written = deps.store.db.transaction(() => {
      const first = local(ctx);
      return { first, step: isThenable(first) ? undefined : this.translate(stationId, version, action, ctx.payload, first, receivedMs) };
    })();
    const localAnswer = await written.first;
    const step = written.step ?? this.translate(stationId, version, action, ctx.payload, localAnswer, receivedMs);
    // The commit of the record and its outbox rows (this turn's group commit). A failed one takes
    // the rows with it: no CSMS answer will come, and the charger must not get one of the hub's.
    const recorded = deps.store.batch.barrier();
    recorded.catch(() => undefined); // awaited in upstreamConf
    const conf = await this.upstreamConf(step, recorded);
    if (conf !== undefined && action === 'Authorize') cacheCsmsAnswer(deps.store.authorizations, idTokenOf(ctx.payload), conf, deps.clock.nowMs());
    const answer = answerCharger(step.answer, { ...(conf !== undefined ? { upstreamConf: conf } : {}), ...this.localInput(ctx.payload) });
    const status = action === 'StatusNotification' ? statusOf(version, ctx.payload) : undefined;
    if (status) deps.rebootRule.onStatus(stationId, version, status.evseId, status.available, (a, envelope) => this.enqueue(stationId, version, a, envelope));
    if ((deps.states.state.pendingResets ?? []).length > 0) this.runDueResets();
    return answer ?? localAnswer;
  }

  /** The charger connected or went away: the CSMS is told what its EVSEs can do now (presence.ts). */
  presence(stationId: string, connected: boolean): void {
    const { deps } = this;
    const before = deps.states.state;
    const r = connected ? chargerBack(before, stationId, deps.clock.nowMs()) : chargerAway(before, stationId, deps.clock.nowMs());
    if (r.state === before) return;
    deps.journal.record(r.state, r.upstream, []);
    if (r.upstream.length > 0) {
      deps.log.info({ stationId, connected, messages: r.upstream.length }, connected ? 'charger back: its EVSEs restored upstream' : 'charger away: its EVSEs reported Unavailable upstream');
      deps.pump.kick();
    }
  }

  /** Sends the resets held back (Reset OnIdle) whose charger is idle now. */
  private runDueResets(): void {
    const { deps } = this;
    const due = dueResets(deps.states.state, (id) => {
      const session = deps.registry.get(id);
      return session?.isOpen ? session.version : undefined;
    });
    if (due.calls.length === 0) return;
    deps.store.db.transaction(() => deps.states.save(due.state, []))();
    setImmediate(() => {
      for (const call of due.calls) {
        const session = deps.registry.get(call.stationId);
        if (!session?.isOpen) continue;
        deps.log.info({ stationId: call.stationId, payload: call.payload }, 'charger idle: held reset sent');
        session.peer.call(call.action, call.payload).then(
          (answer) => deps.log.info({ stationId: call.stationId, status: stringField(answer, 'status') }, 'held reset answered'),
          (err: unknown) => deps.log.warn({ stationId: call.stationId, err: err instanceof Error ? err.message : String(err) }, 'held reset not answered'),
        );
      }
    });
  }

  /** A follow-up a functional block takes: recorded locally, answered by the block. Undefined: not taken. */
  private async byBlock(stationId: string, version: OcppVersion, action: string, local: CallHandler, ctx: CallContext): Promise<unknown> {
    const answer = await this.deps.blocks.fromCharger(stationId, version, action, ctx.payload);
    if (answer === undefined) return undefined;
    await local(ctx);
    return answer;
  }

  /** Translates a message the hub made for a station (reboot rule) and queues it behind everything before. */
  enqueue(stationId: string, version: OcppVersion, action: string, envelope: ProxyEnvelope): void {
    this.translate(stationId, version, action, envelope.payload, undefined, this.deps.clock.nowMs());
    this.deps.pump.kick();
  }

  private translate(stationId: string, version: OcppVersion, action: string, payload: unknown, localAnswer: unknown, receivedMs: number): Step {
    const { deps } = this;
    const chargerTransactionId = version === '1.6' && action === 'StartTransaction' ? numberField(localAnswer, 'transactionId') : undefined;
    const r = fromCharger(
      deps.states.state,
      deps.config,
      { stationId, version, action, payload, receivedMs },
      { offline: deps.gate.state !== 'connected', ...(chargerTransactionId !== undefined ? { chargerTransactionId } : {}) },
    );
    for (const note of r.notes) deps.log.info({ stationId, action }, note);
    for (const e of r.mappingAdded) deps.log.info({ ...e }, 'hub mode: new connector mapped upstream');
    return { answer: r.answer, journaled: deps.journal.record(r.state, r.upstream, r.mappingAdded) };
  }

  /**
   * The CSMS's answer to the message the charger's answer depends on, or undefined. Throws
   * InternalError once `recorded` (the commit of the step's rows) failed: the charger, never
   * answered, sends the message again.
   */
  private async upstreamConf(step: Step, recorded: Promise<void>): Promise<unknown> {
    const failed = recorded.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => {
        this.deps.log.error({ err }, 'a charger message could not be recorded: answered with an error (the charger sends it again)');
        throw new InternalError('the hub could not record the message; send it again');
      },
    );
    failed.catch(() => undefined);
    const index = 'confIndex' in step.answer ? step.answer.confIndex : undefined;
    const target = index === undefined ? undefined : step.journaled[index];
    // A row rolled back is never answered: its wait ends with the commit (its seq may be given again).
    if (target !== undefined && 'queued' in target) recorded.catch(() => this.deps.waiters.settle(target.queued.seq, undefined));
    return Promise.race([this.csmsConf(step, target), failed]);
  }

  private async csmsConf(step: Step, target: Journaled | undefined): Promise<unknown> {
    const { deps } = this;
    if (step.journaled.some((j) => 'queued' in j) && (target === undefined || 'live' in target)) deps.pump.kick();
    if (target === undefined) return undefined;
    if ('live' in target) {
      if (deps.gate.state !== 'connected') return undefined;
      try {
        return await deps.gate.call(target.live.action, target.live.payload);
      } catch (err) {
        deps.log.info({ action: target.live.action, err: err instanceof Error ? err.message : String(err) }, 'CSMS gave no answer: the hub answers');
        return undefined;
      }
    }
    const seq = target.queued.seq;
    const ahead = deps.gate.state === 'connected' ? deps.store.outbox.peek(deps.linkName, LIVE_QUEUE_MAX + 1).findIndex((e) => e.seq === seq) : -1;
    if (ahead < 0) {
      deps.pump.kick();
      return undefined;
    }
    const answer = deps.waiters.wait(seq, deps.callTimeoutMs * (ahead + 1));
    deps.pump.kick();
    return answer;
  }

  /** The hub's own authorization decision for the message's id token, if it names one. */
  private localInput(payload: unknown): { localStatus?: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx' } {
    const idToken = idTokenOf(payload);
    if (idToken === undefined) return {};
    return { localStatus: authorizeOffline(this.deps.store.authorizations, idToken, this.deps.clock.nowMs(), this.deps.unknownIdTokensOffline).status };
  }

  private endedByHub(stationId: string, payload: unknown): boolean {
    const hubId = numberField(payload, 'transactionId');
    return hubId !== undefined && this.deps.rebootRule.endedByHub(stationId, hubId);
  }

  private afterBoot(stationId: string, version: OcppVersion, answer: unknown): void {
    if (stringField(answer, 'status') !== 'Accepted') return;
    const { deps } = this;
    const withoutResets = resetsAfterBoot(deps.states.state, stationId);
    if (withoutResets !== deps.states.state) deps.store.db.transaction(() => deps.states.save(withoutResets, []))();
    deps.rebootRule.onBoot(stationId, version, (action, envelope) => this.enqueue(stationId, version, action, envelope));
    // After the answer has gone out: the station only takes calls once it is accepted.
    setImmediate(() => {
      deps.blocks.onBoot(stationId, version);
      void deps.reenroll.reapply(stationId, version, (action, payload) => {
        const session = deps.registry.get(stationId);
        if (!session?.isOpen) return Promise.reject(new RpcClosedError(action));
        return session.peer.call(action, payload);
      });
    });
  }
}
