import { RpcError } from '../ocpp/errors.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { parseEvseKey } from './evse-key.js';
import { hubStackLevels, writeUnit, type ChargerCapabilities } from './charger-capabilities.js';
import { answerStatus, setChargingProfilePayload, wireLimitA, wireSetpoint, type SetpointMode, type WireSetpoint } from './profile-payload.js';

/**
 * What one EVSE should get: its dynamic limit and its base (guaranteed safe) share, A per phase,
 * and optionally a signed power setpoint (sent to OCPP 2.1 EVSEs only; others get the limit).
 */
export interface EvseTarget {
  limitA: number;
  baseA: number;
  /** Phases the EVSE uses, sent as numberPhases. */
  numberPhases?: 1 | 3;
  /** Power setpoint, W: positive charges, negative discharges. */
  setpointW?: number;
  /** Most negative power allowed, W (<= 0). */
  dischargeLimitW?: number;
  /** operationMode sent with the setpoint. Default CentralSetpoint. */
  operationMode?: SetpointMode;
  /** Phase voltage for W <-> A, V. Default 230. */
  voltageV?: number;
}

export interface DispatcherDeps {
  clock: Clock;
  log: Logger;
  /** Sends a CALL to a station; resolves with its answer, rejects with an RpcError for a CALLERROR. */
  send(stationId: string, action: string, payload: unknown): Promise<unknown>;
  /** The station's OCPP version; undefined while it is not connected (nothing is sent then). */
  versionOf(stationId: string): OcppVersion | undefined;
  /** Lifetime of a dynamic profile (validTo = send time + leaseS), s. Default 300. */
  leaseS?: number;
  /** Least time between two increases (or renewals) of one EVSE's dynamic profile, s. Default 30. */
  minIntervalS?: number;
  /** An increase is only sent when it raises the limit by more than this, A. Default 1. */
  hysteresisA?: number;
  /** Stack level of the base profile. Default 1. */
  baseStackLevel?: number;
  /** Stack level of the dynamic profile (must exceed the base's). Default 2. */
  dynamicStackLevel?: number;
  /** Profile ids: base = profileIdBase + 2 * evseId, dynamic = that + 1. Default 1000. */
  profileIdBase?: number;
  /** Wait before trying again after a write got no answer (timeout, connection lost), s. Default 10. */
  retryS?: number;
  /**
   * What a station's charger takes (rate unit, max stack level), read at boot; absent or unknown:
   * A at the configured stack levels.
   */
  capabilitiesOf?: (stationId: string) => ChargerCapabilities | undefined;
}

export type WriteReason = 'base' | 'initial' | 'decrease' | 'increase' | 'renewal';

export interface DispatcherStats {
  /** SetChargingProfile calls sent. */
  writes: number;
  byReason: Record<WriteReason, number>;
  accepted: number;
  /** Answered Rejected / NotSupported or with a CALLERROR. */
  rejected: number;
  /** No answer (timeout, connection lost). */
  failed: number;
}

export interface EvseDispatchState {
  /** Limit of the dynamic profile the EVSE accepted last, A; undefined = none since boot. */
  lastSentA?: number;
  /** When that profile was sent, ms since the epoch. */
  lastSentMs?: number;
  /** validTo of that profile, ms since the epoch. */
  leaseUntilMs?: number;
  /** Base profile the EVSE accepted, A. */
  baseSentA?: number;
  /** The latest target, A (as sent on the wire: rounded down to 0.1 A). */
  targetA?: number;
  /** Setpoint of the dynamic profile the EVSE accepted last, W (2.1 only). */
  lastSetpointW?: number;
  /** The latest target setpoint as it would be sent, W (2.1 only). */
  targetSetpointW?: number;
  /** False once the EVSE rejected a profile (until it boots again). */
  controllable: boolean;
  /** A write is in flight, or the target differs from what the EVSE has. */
  pending: boolean;
  inFlight: boolean;
}

export type ControllabilityListener = (evseKey: string, controllable: boolean) => void;

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
  retryAtMs?: number;
  /** Bumped when the station boots: answers to older writes are ignored. */
  epoch: number;
}

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

  constructor(private readonly deps: DispatcherDeps) {
    this.leaseMs = (deps.leaseS ?? 300) * 1000;
    this.minIntervalMs = (deps.minIntervalS ?? 30) * 1000;
    this.hysteresisA = deps.hysteresisA ?? 1;
    this.baseStackLevel = deps.baseStackLevel ?? 1;
    this.dynamicStackLevel = deps.dynamicStackLevel ?? 2;
    this.profileIdBase = deps.profileIdBase ?? 1000;
    this.retryMs = (deps.retryS ?? 10) * 1000;
    if (!(this.leaseMs > 0)) throw new RangeError(`leaseS must be positive, got ${deps.leaseS}`);
    if (this.leaseMs * RENEW_AT_SHARE < this.minIntervalMs) {
      throw new RangeError(`leaseS (${this.leaseMs / 1000}) must be at least 1.5 x minIntervalS (${this.minIntervalMs / 1000}) so renewals respect the write rate`);
    }
    if (this.dynamicStackLevel <= this.baseStackLevel) {
      throw new RangeError(`dynamicStackLevel (${this.dynamicStackLevel}) must exceed baseStackLevel (${this.baseStackLevel})`);
    }
  }

  /** New targets per EVSE key; EVSEs not listed keep theirs. Sends what is due now, schedules the rest. */
  apply(targets: Record<string, EvseTarget>): void {
    for (const [key, target] of Object.entries(targets)) {
      const slot = this.slotOf(key);
      if (!slot) continue;
      slot.target = target;
      this.evaluate(slot);
    }
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
    };
  }

  stats(): DispatcherStats {
    return { ...this.counters, byReason: { ...this.counters.byReason } };
  }

  /** Cancels every timer; answers still in flight are ignored. */
  stop(): void {
    for (const slot of this.slots.values()) {
      this.deps.clock.clearTimeout(slot.timer);
      slot.timer = undefined;
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
    slot = { key, stationId: id.stationId, evseId: id.evseId, controllable: true, inFlight: false, epoch: 0 };
    this.slots.set(key, slot);
    return slot;
  }

  /** Sends the one write that is due now, or schedules the time the next one falls due. */
  private evaluate(slot: Slot): void {
    if (slot.inFlight) return;
    this.deps.clock.clearTimeout(slot.timer);
    slot.timer = undefined;
    if (!slot.controllable || !slot.target) return;
    const version = this.deps.versionOf(slot.stationId);
    if (version === undefined) return;
    const nowMs = this.deps.clock.nowMs();
    if (slot.retryAtMs !== undefined && nowMs < slot.retryAtMs) {
      this.schedule(slot, slot.retryAtMs);
      return;
    }
    slot.retryAtMs = undefined;
    const { write, nextDueMs } = this.nextWrite(slot, nowMs, version);
    if (write) this.send(slot, version, write, nowMs);
    else if (nextDueMs !== undefined) this.schedule(slot, nextDueMs);
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
    if (last === undefined || slot.lastSentMs === undefined) return dynamic('initial');

    const renewAtMs = slot.lastSentMs + this.leaseMs * RENEW_AT_SHARE;
    const hysteresisW = this.hysteresisA * (target.numberPhases ?? 3) * (target.voltageV ?? 230);
    const increase = wantA > last + this.hysteresisA + 1e-9 || setpointIncreased(setpoint, slot.lastSetpoint, hysteresisW);
    const increaseAtMs = slot.lastSentMs + this.minIntervalMs;
    if (increase && nowMs >= increaseAtMs) return dynamic('increase');
    if (nowMs >= renewAtMs) return dynamic('renewal');
    return { nextDueMs: increase ? Math.min(increaseAtMs, renewAtMs) : renewAtMs };
  }

  private schedule(slot: Slot, atMs: number): void {
    const delayMs = Math.max(0, atMs - this.deps.clock.nowMs());
    slot.timer = this.deps.clock.setTimeout(() => {
      slot.timer = undefined;
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
    for (const l of this.listeners) l(slot.key, controllable);
  }
}

/** The setpoint a target would put on the wire: only for OCPP 2.1 and only when it has one. */
function setpointOf(target: EvseTarget, version: OcppVersion): WireSetpoint | undefined {
  if (version !== '2.1' || target.setpointW === undefined) return undefined;
  return wireSetpoint(target.limitA, target.numberPhases ?? 3, {
    setpointW: target.setpointW,
    ...(target.dischargeLimitW !== undefined ? { dischargeLimitW: target.dischargeLimitW } : {}),
    operationMode: target.operationMode ?? 'CentralSetpoint',
    voltageV: target.voltageV ?? 230,
  });
}

function sameSetpoint(a: WireSetpoint | undefined, b: WireSetpoint | undefined): boolean {
  if (!a || !b) return a === b;
  return a.setpointW === b.setpointW && a.dischargeLimitW === b.dischargeLimitW && a.operationMode === b.operationMode;
}

/**
 * Less charging power than what the EVSE has: a lower setpoint, a tighter discharge limit, or a
 * setpoint that appears, goes or changes mode (a change of how the EVSE is driven: at once).
 */
function setpointDecreased(want: WireSetpoint | undefined, had: WireSetpoint | undefined): boolean {
  if (!want || !had) return want !== had;
  if (want.operationMode !== had.operationMode) return true;
  return want.setpointW < had.setpointW || (want.dischargeLimitW ?? Number.NEGATIVE_INFINITY) > (had.dischargeLimitW ?? Number.NEGATIVE_INFINITY);
}

/** More power than the EVSE has by more than the hysteresis: a higher setpoint or a looser discharge limit. */
function setpointIncreased(want: WireSetpoint | undefined, had: WireSetpoint | undefined, hysteresisW: number): boolean {
  if (!want || !had) return false;
  const looser = (want.dischargeLimitW ?? Number.NEGATIVE_INFINITY) < (had.dischargeLimitW ?? Number.NEGATIVE_INFINITY) - hysteresisW - 1e-9;
  return want.setpointW > had.setpointW + hysteresisW + 1e-9 || looser;
}
