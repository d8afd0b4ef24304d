import { RpcError } from '../ocpp/errors.js';
import type { OcppVersion } from '../ocpp/versions.js';
import { parseEvseKey } from './evse-key.js';
import { hubStackLevels, writeUnit } from './charger-capabilities.js';
import { answerStatus, setChargingProfilePayload, wireLimitA } from './profile-payload.js';
import type { ControllabilityListener, DispatcherDeps, DispatcherStats, EvseDispatchState, EvseTarget } from './dispatcher-types.js';
import { offersAt } from './dispatcher-offers.js';
import { sameSetpoint, setpointOf } from './dispatcher-setpoint.js';
import { MakeBeforeBreak } from './make-before-break.js';
import { nextWrite, RENEW_AT_SHARE, type RaiseGate, type Write, type WriteRules } from './next-write.js';
import type { Slot } from './dispatcher-slot.js';
import { WriteLog, type WriteCounts } from './write-log.js';
import type { OfferStep } from '../energy/draw/draw-at.js';

export type { ControllabilityListener, DispatcherDeps, DispatcherStats, EvseDispatchState, EvseTarget, WriteReason } from './dispatcher-types.js';

/**
 * Sends the hub's profiles to its EVSEs; the hub is the only writer of profiles on them.
 * Per EVSE, two TxDefaultProfiles (they apply with or without a transaction, unlike TxProfile):
 * - a BASE profile at a low stack level without validTo, the guaranteed safe share, sent once
 *   per boot and when it changes;
 * - a DYNAMIC profile at a higher stack level with the current limit and a lease (validTo),
 *   renewed at 2/3 of the lease, so that an EVSE whose hub is gone falls back to its base
 *   profile when the lease ends.
 * Decreases go out at once; increases wait for minIntervalS since the last dynamic write and
 * are only sent when larger than hysteresisA (smaller ones ride along with the next renewal).
 * For an OCPP 2.1 EVSE with a setpoint the dynamic profile also carries operationMode, setpoint
 * and dischargeLimit (in W, see setChargingProfilePayload), and setpoint changes follow the same
 * rules: less charging power (a lower setpoint, a tighter discharge limit) or a change of mode at
 * once; more only after minIntervalS and by more than hysteresisA x phases x voltage.
 * One write in flight per EVSE; a newer target replaces a waiting one. A Rejected answer or a
 * CALLERROR marks the EVSE uncontrollable until it boots again.
 */
export class Dispatcher {
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<ControllabilityListener>();
  private readonly counters: DispatcherStats = {
    writes: 0,
    byReason: { base: 0, initial: 0, decrease: 0, increase: 0, renewal: 0 },
    accepted: 0,
    rejected: 0,
    failed: 0,
  };
  private readonly leaseMs: number;
  private readonly minIntervalMs: number;
  /** When a slot's next write is due (next-write.ts). */
  private readonly rules: WriteRules;
  private readonly baseStackLevel: number;
  private readonly dynamicStackLevel: number;
  private readonly profileIdBase: number;
  private readonly retryMs: number;
  private readonly mbb: MakeBeforeBreak;
  private readonly writeLog: WriteLog;
  private readonly budgetWarned = new Set<string>();
  /** Counts changes that may hold a raise that was free before: a decrease sent, a write counted against a budget. */
  private gatesChanged = 0;
  /** EVSEs whose raise waits for the answer to a decrease elsewhere. */
  private readonly awaitingAnswer = new Set<Slot>();
  /** A decision is under way: raises wait for its targets (holdRaises). */
  private raisesHeld = false;
  /** EVSEs whose raise waits for the decision under way. */
  private readonly heldForDecision = new Set<Slot>();

  constructor(private readonly deps: DispatcherDeps) {
    this.leaseMs = (deps.leaseS ?? 300) * 1000;
    this.minIntervalMs = (deps.minIntervalS ?? 30) * 1000;
    this.baseStackLevel = deps.baseStackLevel ?? 1;
    this.dynamicStackLevel = deps.dynamicStackLevel ?? 2;
    this.profileIdBase = deps.profileIdBase ?? 1000;
    this.retryMs = (deps.retryS ?? 10) * 1000;
    this.mbb = new MakeBeforeBreak({
      settleMs: (deps.settleS ?? 30) * 1000,
      ...(deps.sharesCapacity ? { sharesCapacity: deps.sharesCapacity } : {}),
      ...(deps.follows ? { follows: deps.follows } : {}),
    });
    this.writeLog = new WriteLog(deps.writeBudgetPerDay);
    if (!(this.leaseMs > 0)) throw new RangeError(`leaseS must be positive, got ${deps.leaseS}`);
    if (this.leaseMs * RENEW_AT_SHARE < this.minIntervalMs) {
      throw new RangeError(`leaseS (${this.leaseMs / 1000}) must be at least 1.5 x minIntervalS (${this.minIntervalMs / 1000}) so renewals respect the write rate`);
    }
    this.rules = { leaseMs: this.leaseMs, minIntervalMs: this.minIntervalMs, hysteresisA: deps.hysteresisA ?? 1, lapseToBase: deps.lapseToBase !== false };
    if (this.dynamicStackLevel <= this.baseStackLevel) {
      throw new RangeError(`dynamicStackLevel (${this.dynamicStackLevel}) must exceed baseStackLevel (${this.baseStackLevel})`);
    }
  }

  /**
   * New targets per EVSE key; EVSEs not listed keep theirs. Sends what is due now, schedules the
   * rest. Decreases are looked at first, so that the increases depending on them wait for them.
   */
  apply(targets: Record<string, EvseTarget>): void {
    // The targets of the decision that was under way (or of a newer one): raises held for it are evaluated below.
    this.raisesHeld = false;
    const held = this.heldForDecision.size > 0 ? [...this.heldForDecision] : [];
    this.heldForDecision.clear();
    const changed: Slot[] = [];
    for (const key in targets) {
      const target = targets[key] as EvseTarget;
      const slot = this.slotOf(key);
      if (!slot) continue;
      slot.sameTarget = slot.target === target;
      slot.target = target;
      changed.push(slot);
    }
    const lowering = (s: Slot): boolean => s.lastSentA !== undefined && s.target !== undefined && wireLimitA(s.target.limitA) < s.lastSentA;
    for (const slot of changed) if (lowering(slot) && !this.unchangedSince(slot)) this.evaluate(slot);
    for (const slot of changed) if (!lowering(slot) && !this.unchangedSince(slot)) this.evaluate(slot);
    for (const slot of held) if (!(slot.key in targets)) this.evaluate(slot);
  }

  /**
   * A decision is under way (true) or no longer (false). While one is, no raise goes out from the
   * targets it is about to replace (a decision run in steps reads its inputs first and dispatches
   * a few hundred ms later): an increase that falls due meanwhile (write rate, make before break,
   * a renewal that would carry it) waits for the decision's targets, which `apply` brings and
   * which may say less; sent from the older target it would be clawed back moments later.
   * Decreases are never held. Ended without an apply (the decision was dropped), the EVSEs held
   * are evaluated again at once.
   */
  holdRaises(held: boolean): void {
    this.raisesHeld = held;
    if (held || this.heldForDecision.size === 0) return;
    const waiting = [...this.heldForDecision];
    this.heldForDecision.clear();
    for (const slot of waiting) this.evaluate(slot);
  }

  /**
   * Whether evaluating the EVSE again would find what its last evaluation found: the same target
   * object (the controller keeps it while it is equal), no gate held its raise, and no gate got
   * stricter since (a decrease sent elsewhere, a write counted against a budget). What falls due
   * later (an increase after minIntervalS, a renewal, a retry) has its timer already.
   */
  private unchangedSince(slot: Slot): boolean {
    return slot.sameTarget === true && slot.gateHeld === false && slot.gatesSeen === this.gatesChanged;
  }

  /** Dynamic limits sent to an EVSE recently, with the base profile once the lease ran out (dispatcher-offers.ts). */
  offersOf(evseKey: string): readonly OfferStep[] {
    const s = this.slots.get(evseKey);
    return s ? offersAt(s, this.deps.clock.nowMs()) : [];
  }

  /** Profile writes to an EVSE in the last hour and day. */
  writeCounts(evseKey: string): WriteCounts {
    return this.writeLog.counts(evseKey, this.deps.clock.nowMs());
  }

  /** The station (re)booted and lost its profiles: send base and dynamic again, and retry rejected EVSEs. */
  onStationBooted(stationId: string): void {
    for (const slot of this.slots.values()) {
      if (slot.stationId !== stationId) continue;
      slot.epoch++;
      slot.inFlight = false;
      slot.baseSentA = undefined;
      slot.lastSentA = undefined;
      slot.lastSetpoint = undefined;
      slot.leaseUntilMs = undefined;
      slot.retryAtMs = undefined;
      slot.offers = [];
      slot.lapsed = undefined;
      this.mbb.clear(slot.key);
      this.setControllable(slot, true);
      this.evaluate(slot);
    }
  }

  /** The station (re)connected: send whatever fell due while it was away. */
  onStationConnected(stationId: string): void {
    for (const slot of this.slots.values()) {
      if (slot.stationId !== stationId) continue;
      slot.retryAtMs = undefined;
      this.evaluate(slot);
    }
  }

  /** Whether a decision gave this EVSE a target yet (what the dispatcher writes after a boot). */
  hasTarget(evseKey: string): boolean {
    return this.slots.get(evseKey)?.target !== undefined;
  }

  isControllable(evseKey: string): boolean {
    return this.slots.get(evseKey)?.controllable ?? true;
  }

  /** Called when an EVSE becomes uncontrollable (rejected a profile) or controllable again. Returns an unsubscribe. */
  onControllabilityChange(listener: ControllabilityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(evseKey: string): EvseDispatchState | undefined {
    const s = this.slots.get(evseKey);
    if (!s) return undefined;
    const targetA = s.target ? wireLimitA(s.target.limitA) : undefined;
    const baseA = s.target ? wireLimitA(s.target.baseA) : undefined;
    const version = this.deps.versionOf(s.stationId);
    const setpoint = s.target && version ? setpointOf(s.target, version) : undefined;
    const setpointWaiting = version !== undefined && !sameSetpoint(setpoint, s.lastSetpoint);
    const waiting = s.controllable && targetA !== undefined && (targetA !== s.lastSentA || baseA !== s.baseSentA || setpointWaiting);
    return {
      ...(s.lastSetpoint ? { lastSetpointW: s.lastSetpoint.setpointW } : {}),
      ...(setpoint ? { targetSetpointW: setpoint.setpointW } : {}),
      lastSentA: s.lastSentA,
      lastSentMs: s.lastSentMs,
      leaseUntilMs: s.leaseUntilMs,
      baseSentA: s.baseSentA,
      targetA,
      controllable: s.controllable,
      pending: s.inFlight || waiting,
      inFlight: s.inFlight,
      writes: this.writeLog.counts(evseKey, this.deps.clock.nowMs()),
    };
  }

  stats(): DispatcherStats {
    return { ...this.counters, byReason: { ...this.counters.byReason } };
  }

  /** Cancels every timer; answers still in flight are ignored. */
  stop(): void {
    for (const slot of this.slots.values()) {
      this.unschedule(slot);
      slot.epoch++;
      slot.inFlight = false;
    }
  }

  private slotOf(key: string): Slot | undefined {
    let slot = this.slots.get(key);
    if (slot) return slot;
    const id = parseEvseKey(key);
    if (!id) {
      this.deps.log.warn({ evseKey: key }, 'dispatcher: not an EVSE key (<stationId>/<evseId>), ignored');
      return undefined;
    }
    slot = { key, stationId: id.stationId, evseId: id.evseId, controllable: true, inFlight: false, epoch: 0, offers: [] };
    this.slots.set(key, slot);
    return slot;
  }

  /** Sends the one write that is due now, or schedules the time the next one falls due. */
  private evaluate(slot: Slot): void {
    if (slot.inFlight) return;
    if (!slot.controllable || !slot.target) return this.unschedule(slot);
    const version = this.deps.versionOf(slot.stationId);
    if (version === undefined) return this.unschedule(slot);
    const nowMs = this.deps.clock.nowMs();
    if (slot.retryAtMs !== undefined && nowMs < slot.retryAtMs) {
      this.schedule(slot, slot.retryAtMs);
      return;
    }
    slot.retryAtMs = undefined;
    slot.gateHeld = false;
    slot.gatesSeen = this.gatesChanged;
    const { write, nextDueMs } = nextWrite(slot, nowMs, version, this.rules, (standsAlone) => this.raiseGate(slot, nowMs, standsAlone));
    if (write) {
      this.unschedule(slot);
      this.send(slot, version, write, nowMs);
    } else if (nextDueMs !== undefined) this.schedule(slot, nextDueMs);
    else this.unschedule(slot);
  }

  private unschedule(slot: Slot): void {
    if (slot.timer === undefined) return;
    this.deps.clock.clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.timerAtMs = undefined;
  }

  /** Why a raise on this EVSE must wait now (a decrease it depends on, the write budget), and until when; undefined = it may go. */
  private raiseGate(slot: Slot, nowMs: number, standsAlone: boolean): RaiseGate {
    if (this.raisesHeld) {
      this.heldForDecision.add(slot);
      return { byDecision: true };
    }
    if (this.writeLog.overBudget(slot.stationId, nowMs)) {
      if (!this.budgetWarned.has(slot.stationId)) {
        this.budgetWarned.add(slot.stationId);
        this.deps.log.warn({ stationId: slot.stationId, budgetPerDay: this.deps.writeBudgetPerDay }, 'dispatcher: charger used its daily profile-write budget; increases wait (decreases and renewals still go)');
      }
      return { retryAtMs: this.writeLog.budgetBackAtMs(slot.stationId, nowMs) };
    }
    this.budgetWarned.delete(slot.stationId);
    if (standsAlone) return undefined;
    const mbb = this.mbb.mayIncrease(slot.key, nowMs);
    if (mbb.ok) return undefined;
    if (mbb.retryAtMs !== undefined) return { retryAtMs: mbb.retryAtMs, byDecreases: true };
    this.awaitingAnswer.add(slot);
    return { byDecreases: true };
  }

  /** Evaluates the slot again at atMs; a timer already armed for that instant is kept (a decision re-evaluates every EVSE). */
  private schedule(slot: Slot, atMs: number): void {
    if (slot.timer !== undefined && slot.timerAtMs === atMs) return;
    this.unschedule(slot);
    const delayMs = Math.max(0, atMs - this.deps.clock.nowMs());
    slot.timerAtMs = atMs;
    slot.timer = this.deps.clock.setTimeout(() => {
      slot.timer = undefined;
      slot.timerAtMs = undefined;
      this.evaluate(slot);
    }, delayMs);
  }

  private send(slot: Slot, version: OcppVersion, write: Write, nowMs: number): void {
    const dynamic = write.profile === 'dynamic';
    const validToMs = dynamic ? nowMs + this.leaseMs : undefined;
    const caps = this.deps.capabilitiesOf?.(slot.stationId);
    const levels = caps ? hubStackLevels(caps, this.baseStackLevel, this.dynamicStackLevel) : { base: this.baseStackLevel, dynamic: this.dynamicStackLevel };
    if (!levels) {
      this.rejected(slot, { stationId: slot.stationId, evseId: slot.evseId }, 'charger accepts no stack level above 0: base and dynamic profiles cannot both be kept');
      return;
    }
    const payload = setChargingProfilePayload(version, {
      evseId: slot.evseId,
      profileId: this.profileIdBase + 2 * slot.evseId + (dynamic ? 1 : 0),
      stackLevel: dynamic ? levels.dynamic : levels.base,
      limitA: write.limitA,
      numberPhases: slot.target?.numberPhases,
      startMs: nowMs,
      validToMs,
      ...(caps && writeUnit(caps) === 'W' ? { rateUnit: 'W' as const, voltageV: slot.target?.voltageV ?? 230 } : {}),
      ...(write.setpoint && slot.target ? { setpoint: { ...write.setpoint, voltageV: slot.target.voltageV ?? 230 } } : {}),
    });
    const epoch = slot.epoch;
    slot.inFlight = true;
    if (dynamic) {
      slot.offers = [...slot.offers, { fromMs: nowMs, limitA: write.limitA }];
      if (write.reason === 'decrease') {
        this.mbb.decreaseSent(slot.key, write.limitA, nowMs);
        this.gatesChanged++;
      }
    }
    this.writeLog.record(slot.key, slot.stationId, nowMs);
    if (this.deps.writeBudgetPerDay !== undefined) this.gatesChanged++;
    this.counters.writes++;
    this.counters.byReason[write.reason]++;
    const who = { stationId: slot.stationId, evseId: slot.evseId, reason: write.reason, limitA: write.limitA, ...(write.setpoint ? { setpointW: write.setpoint.setpointW } : {}) };
    this.deps.log.debug(who, 'dispatcher: SetChargingProfile');
    this.deps
      .send(slot.stationId, 'SetChargingProfile', payload)
      .then(
        (answer) => {
          if (slot.epoch !== epoch) return;
          const status = answerStatus(answer);
          if (status === 'Accepted') {
            this.counters.accepted++;
            if (dynamic) {
              slot.lastSentA = write.limitA;
              slot.lastSetpoint = write.setpoint;
              slot.lastSentMs = nowMs;
              slot.leaseUntilMs = validToMs;
              if (write.reason === 'decrease') this.mbb.decreaseAccepted(slot.key, write.limitA, this.deps.clock.nowMs());
            } else slot.baseSentA = write.limitA;
          } else this.rejected(slot, who, `answered ${status ?? 'without a status'}`);
        },
        (err: unknown) => {
          if (slot.epoch !== epoch) return;
          if (err instanceof RpcError) this.rejected(slot, who, `CALLERROR ${err.message}`);
          else {
            this.counters.failed++;
            slot.retryAtMs = this.deps.clock.nowMs() + this.retryMs;
            this.deps.log.warn({ ...who, err: err instanceof Error ? err.message : String(err) }, 'dispatcher: profile write got no answer; will retry');
          }
        },
      )
      .finally(() => {
        if (slot.epoch !== epoch) return;
        slot.inFlight = false;
        this.evaluate(slot);
        // Increases may have been waiting for this decrease's answer.
        if (write.reason === 'decrease') {
          const waiting = [...this.awaitingAnswer];
          this.awaitingAnswer.clear();
          for (const other of waiting) if (other !== slot) this.evaluate(other);
        }
      });
  }

  private rejected(slot: Slot, who: Record<string, unknown>, why: string): void {
    this.counters.rejected++;
    this.deps.log.warn({ ...who, why }, 'dispatcher: EVSE refused the hub profile; treated as uncontrollable (budgeted at its max)');
    this.setControllable(slot, false);
  }

  private setControllable(slot: Slot, controllable: boolean): void {
    if (slot.controllable === controllable) return;
    slot.controllable = controllable;
    if (!controllable) this.mbb.clear(slot.key);
    for (const l of this.listeners) l(slot.key, controllable);
  }
}
