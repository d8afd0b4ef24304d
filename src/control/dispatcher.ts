import { RpcError } from '../ocpp/errors.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { TimerHandle } from '../util/clock.js';
import { parseEvseKey } from './evse-key.js';
import { hubStackLevels, writeUnit } from './charger-capabilities.js';
import { answerStatus, setChargingProfilePayload, wireLimitA, type WireSetpoint } from './profile-payload.js';
import type { ControllabilityListener, DispatcherDeps, DispatcherStats, EvseDispatchState, EvseTarget, WriteReason } from './dispatcher-types.js';
import { sameSetpoint, setpointDecreased, setpointIncreased, setpointOf } from './dispatcher-setpoint.js';
import { MakeBeforeBreak } from './make-before-break.js';
import { WriteLog, type WriteCounts } from './write-log.js';
import type { OfferStep } from '../energy/draw/draw-at.js';

export type { ControllabilityListener, DispatcherDeps, DispatcherStats, EvseDispatchState, EvseTarget, WriteReason } from './dispatcher-types.js';

interface Slot {
  key: string;
  stationId: string;
  evseId: number;
  target?: EvseTarget;
  baseSentA?: number;
  lastSentA?: number;
  /** Setpoint of the last accepted dynamic profile; undefined = it had none. */
  lastSetpoint?: WireSetpoint;
  lastSentMs?: number;
  leaseUntilMs?: number;
  controllable: boolean;
  inFlight: boolean;
  timer?: TimerHandle;
  /** When `timer` fires, ms. */
  timerAtMs?: number;
  retryAtMs?: number;
  /** Bumped when the station boots: answers to older writes are ignored. */
  epoch: number;
  /**
   * Dynamic limits sent recently, from their send time (the charger may apply one before it
   * answers). Never changed in place (replaced): offersOf hands it out as it is.
   */
  offers: readonly OfferStep[];
  /**
   * The last evaluation found a raise held by a gate (decreases elsewhere not followed yet, the
   * write budget): a decision looks at the EVSE again even when its target is the same object
   * (see unchangedSince).
   */
  gateHeld?: boolean;
  /** The last apply gave the same target object as the one before (see unchangedSince). */
  sameTarget?: boolean;
  /** The dispatcher's gatesChanged at the EVSE's last evaluation. */
  gatesSeen?: number;
  /** offersOf's answer once the lease ran out (the offers and the base profile), kept while its inputs are the same. */
  lapsed?: { offers: readonly OfferStep[]; leaseUntilMs: number; baseSentA: number; steps: readonly OfferStep[] };
}

/** How long sent offers are remembered (the estimator looks back followS before a report). */
const OFFER_MEMORY_MS = 10 * 60_000;

interface Write {
  reason: WriteReason;
  profile: 'base' | 'dynamic';
  limitA: number;
  setpoint?: WireSetpoint;
}

/** Renew the lease when this share of it has passed. */
const RENEW_AT_SHARE = 2 / 3;

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
  private readonly hysteresisA: number;
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
    this.hysteresisA = deps.hysteresisA ?? 1;
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

  /**
   * Dynamic limits sent to an EVSE recently (oldest first), with the base profile once the lease
   * ran out. The same array while nothing changed (a caller may compare by identity); never
   * changed afterwards.
   */
  offersOf(evseKey: string): readonly OfferStep[] {
    const s = this.slots.get(evseKey);
    if (!s) return [];
    const nowMs = this.deps.clock.nowMs();
    let drop = 0;
    while (s.offers.length - drop > 1 && (s.offers[drop + 1]?.fromMs ?? 0) < nowMs - OFFER_MEMORY_MS) drop++;
    if (drop > 0) s.offers = s.offers.slice(drop);
    if (s.leaseUntilMs === undefined || s.leaseUntilMs > nowMs || s.baseSentA === undefined) return s.offers;
    const l = s.lapsed;
    if (l?.offers === s.offers && l.leaseUntilMs === s.leaseUntilMs && l.baseSentA === s.baseSentA) return l.steps;
    const steps = [...s.offers, { fromMs: s.leaseUntilMs, limitA: s.baseSentA }];
    s.lapsed = { offers: s.offers, leaseUntilMs: s.leaseUntilMs, baseSentA: s.baseSentA, steps };
    return steps;
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
    const { write, nextDueMs } = this.nextWrite(slot, nowMs, version);
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

  private nextWrite(slot: Slot, nowMs: number, version: OcppVersion): { write?: Write; nextDueMs?: number } {
    const target = slot.target as EvseTarget;
    const wantA = wireLimitA(target.limitA);
    const baseA = wireLimitA(target.baseA);
    const setpoint = setpointOf(target, version);
    const dynamic = (reason: WriteReason): { write: Write } => ({ write: { reason, profile: 'dynamic', limitA: wantA, ...(setpoint ? { setpoint } : {}) } });
    const last = slot.lastSentA;
    if (last !== undefined && (wantA < last || setpointDecreased(setpoint, slot.lastSetpoint))) return dynamic('decrease');
    if (slot.baseSentA === undefined || slot.baseSentA !== baseA) return { write: { reason: 'base', profile: 'base', limitA: baseA } };

    // Anything that lets the EV draw more waits for the decreases it depends on and for budget.
    const raising = last === undefined ? wantA > baseA : wantA > last || setpointIncreased(setpoint, slot.lastSetpoint, 0);
    const gate = raising ? this.raiseGate(slot, nowMs, wantA <= (target.aloneA ?? -Infinity) + 1e-9) : undefined;
    if (gate) slot.gateHeld = true;
    // Held for the decision under way: nothing now, not even a renewal (its apply comes within moments).
    if (gate?.byDecision) return {};
    if (last === undefined || slot.lastSentMs === undefined) {
      if (!gate) return dynamic('initial');
      return gate.retryAtMs !== undefined ? { nextDueMs: gate.retryAtMs } : {};
    }

    const renewAtMs = slot.lastSentMs + this.leaseMs * RENEW_AT_SHARE;
    const hysteresisW = this.hysteresisA * (target.numberPhases ?? 3) * (target.voltageV ?? 230);
    const increase = wantA > last + this.hysteresisA + 1e-9 || setpointIncreased(setpoint, slot.lastSetpoint, hysteresisW);
    // A start (from below the EV's minimum) is not held back by the write rate: a newly plugged-in EV gets its offer at once.
    const start = last < (target.minA ?? 0) && wantA >= (target.minA ?? 0);
    const increaseAtMs = start ? nowMs : slot.lastSentMs + this.minIntervalMs;
    // A dynamic profile equal to the base needs no renewal: when its lease ends the base profile
    // governs with the same limit (offersOf shows it), and a write is saved every lease.
    const lapses = this.deps.lapseToBase !== false && last === baseA && !slot.lastSetpoint;
    // A start held back by decreases elsewhere gets at once what fits without them, if that reaches its minimum.
    const aloneA = target.aloneA === undefined ? undefined : wireLimitA(target.aloneA);
    if (gate?.byDecreases && start && aloneA !== undefined && aloneA >= (target.minA ?? 0) && aloneA > last && aloneA < wantA) {
      return { write: { reason: 'increase', profile: 'dynamic', limitA: aloneA } };
    }
    if (gate) {
      // Held: a renewal due meanwhile keeps what the EVSE has.
      if (nowMs >= renewAtMs && !lapses) return { write: { reason: 'renewal', profile: 'dynamic', limitA: last, ...(slot.lastSetpoint ? { setpoint: slot.lastSetpoint } : {}) } };
      return nowMs >= renewAtMs ? (gate.retryAtMs !== undefined ? { nextDueMs: gate.retryAtMs } : {}) : { nextDueMs: Math.min(gate.retryAtMs ?? renewAtMs, renewAtMs) };
    }
    if (increase && nowMs >= increaseAtMs) return dynamic('increase');
    if (nowMs >= renewAtMs && lapses && wantA === last && !setpoint) return {};
    // A renewal does not carry an increase the hysteresis would not send alone: a fraction of an
    // amp more, written just before a decrease the site needs, is an increase clawed back.
    if (nowMs >= renewAtMs) return wantA > last && !increase ? { write: { reason: 'renewal', profile: 'dynamic', limitA: last, ...(setpoint ? { setpoint } : {}) } } : dynamic('renewal');
    return { nextDueMs: increase ? Math.min(increaseAtMs, renewAtMs) : renewAtMs };
  }

  /** Why a raise on this EVSE must wait now (a decrease it depends on, the write budget), and until when; undefined = it may go. */
  private raiseGate(slot: Slot, nowMs: number, standsAlone: boolean): { retryAtMs?: number; byDecreases?: true; byDecision?: true } | undefined {
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
