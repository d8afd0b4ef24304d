import { randomUUID } from 'node:crypto';
import { createRPCError, type RPCClient } from 'ocpp-rpc';
import type { PerPhase, Phase } from '../../../src/energy/phases.js';
import type { Clock, TimerHandle } from '../../../src/util/clock.js';
import { boot16, boot2x, ocppClient } from '../../helpers/hub-harness.js';
import { fromSet16, fromSet201, install, limitAtA, type HeldProfile } from './follow-charger-profiles.js';

/**
 * A charger as a site operator meets it, for black-box tests of the control loop: built directly
 * on ocpp-rpc (an independent OCPP implementation, strict mode: both directions checked against
 * the official schemas), not on the hub's own simulator. Its EV draws what it is offered, but
 * follows every change of the offer `followDelayS` late (increases and decreases alike, as real
 * EVs do), and the charger reports the current it really draws every `reportPeriodS` (1.6
 * MeterValues, 2.0.1 TransactionEvent Updated, both with Current.Import per phase). All its
 * timers run on the injected clock. It keeps what it was written and when, for the test to judge.
 */
export interface FollowChargerSpec {
  id: string;
  version: '1.6' | '2.0.1';
  phases: 1 | 3;
  /** Grid phase of each charger phase, in order (as in the site config). */
  rotation: Phase[];
  maxCurrentA: number;
  /** How late the EV follows a new limit, s. */
  followDelayS: number;
  /** How often the charger reports its current during a transaction, s. */
  reportPeriodS: number;
  /** Below this offer the EV draws nothing (IEC 61851), A. Default 6. */
  evMinA?: number;
}

/** One SetChargingProfile the charger accepted. */
export interface WriteRecord {
  atMs: number;
  profileId: number;
  stackLevel: number;
  validToMs?: number;
  /** The charger's offer (what its profiles allow) just before and just after the write, A. */
  offeredBeforeA: number;
  offeredAfterA: number;
}

export interface FollowChargerDeps {
  spec: FollowChargerSpec;
  /** The hub's OCPP URL without the identity. */
  endpoint: string;
  clock: Clock;
  idTag: string;
  voltageV?: number;
}

const CAPABILITIES_16: Record<string, string> = {
  ChargingScheduleAllowedChargingRateUnit: 'Current,Power',
  ChargeProfileMaxStackLevel: '10',
  MaxChargingProfilesInstalled: '10',
  ChargingScheduleMaxPeriods: '24',
};
const CAPABILITIES_2X: Record<string, string> = { RateUnit: 'A,W', ProfileStackLevel: '10', Entries: '10', PeriodsPerSchedule: '24' };

export class FollowCharger {
  readonly spec: FollowChargerSpec;
  readonly writes: WriteRecord[] = [];
  /** Calls from the hub other than profile writes and capability reads (action names). */
  readonly otherCalls: string[] = [];
  plugMs: number | undefined;
  txStartMs: number | undefined;
  private wantA = 0;
  private transactionId: string | undefined;
  private seqNo = 0;
  private reportedState: string | undefined;
  private readonly client: RPCClient;
  private readonly clock: Clock;
  private readonly voltageV: number;
  private readonly idTag: string;
  /** The profiles held, each version from the instant it was installed. */
  private readonly versions: { atMs: number; profiles: HeldProfile[] }[] = [{ atMs: -Infinity, profiles: [] }];
  private readonly timers = new Set<TimerHandle>();
  private pending = 0;
  private heartbeatS = 0;

  constructor(deps: FollowChargerDeps) {
    this.spec = deps.spec;
    this.clock = deps.clock;
    this.voltageV = deps.voltageV ?? 230;
    this.idTag = deps.idTag;
    this.client = ocppClient(deps.endpoint, deps.spec.id, { version: deps.spec.version });
    this.client.handle('SetChargingProfile', async ({ params }) => this.onSetChargingProfile(params));
    this.client.handle('ClearChargingProfile', async ({ params }) => this.onClear(params as { id?: number; chargingProfileId?: number }));
    this.client.handle('GetConfiguration', async ({ params }) => {
      const keys = (params as { key?: string[] }).key ?? Object.keys(CAPABILITIES_16);
      return {
        configurationKey: keys.filter((k) => k in CAPABILITIES_16).map((k) => ({ key: k, readonly: true, value: CAPABILITIES_16[k] })),
        unknownKey: keys.filter((k) => !(k in CAPABILITIES_16)),
      };
    });
    this.client.handle('GetVariables', async ({ params }) => ({
      getVariableResult: (params as { getVariableData: { component: { name: string }; variable: { name: string; instance?: string } }[] }).getVariableData.map((d) => {
        const value = d.component.name === 'SmartChargingCtrlr' ? CAPABILITIES_2X[d.variable.name] : undefined;
        return value === undefined
          ? { attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable }
          : { attributeStatus: 'Accepted', attributeValue: value, component: d.component, variable: d.variable };
      }),
    }));
    this.client.handle(async ({ method }) => {
      this.otherCalls.push(method ?? '(none)');
      throw createRPCError('NotImplemented', `${method} is not implemented by this test charger`);
    });
  }

  get id(): string {
    return this.spec.id;
  }

  /** True while a call to or from the hub, or a flow of calls, is under way. */
  busy(): boolean {
    return this.pending > 0;
  }

  /** Connects, boots and reports its connector Available. */
  async start(): Promise<void> {
    await this.track(async () => {
      await this.client.connect();
      const boot = (await this.call('BootNotification', this.spec.version === '1.6' ? boot16 : boot2x)) as { status: string; interval: number };
      if (boot.status !== 'Accepted') throw new Error(`${this.id}: boot ${boot.status}`);
      this.heartbeatS = boot.interval;
      this.scheduleHeartbeat();
      await this.status('Available');
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    await this.client.close({ code: 1000, force: true });
  }

  /** An EV that wants up to wantA per phase plugs in and its transaction starts at once (local id tag). */
  async plugIn(wantA: number): Promise<void> {
    await this.track(async () => {
      this.plugMs = this.clock.nowMs();
      this.wantA = wantA;
      if (this.spec.version === '1.6') {
        await this.status('Preparing');
        const res = (await this.call('StartTransaction', { connectorId: 1, idTag: this.idTag, meterStart: 0, timestamp: this.iso() })) as { transactionId: number; idTagInfo: { status: string } };
        if (res.idTagInfo.status !== 'Accepted') throw new Error(`${this.id}: StartTransaction ${res.idTagInfo.status}`);
        this.transactionId = String(res.transactionId);
        this.txStartMs = this.clock.nowMs();
      } else {
        await this.status('Occupied');
        this.transactionId = randomUUID();
        this.txStartMs = this.clock.nowMs();
        const res = (await this.call('TransactionEvent', {
          eventType: 'Started',
          timestamp: this.iso(),
          triggerReason: 'Authorized',
          seqNo: this.seqNo++,
          transactionInfo: { transactionId: this.transactionId, chargingState: 'EVConnected' },
          idToken: { idToken: this.idTag, type: 'ISO14443' },
          evse: { id: 1, connectorId: 1 },
        })) as { idTokenInfo?: { status: string } };
        if (res.idTokenInfo?.status !== 'Accepted') throw new Error(`${this.id}: TransactionEvent Started ${res.idTokenInfo?.status}`);
      }
      this.reportedState = undefined;
      await this.reportState();
      this.scheduleReport();
    });
  }

  /** What the charger's profiles allow at tMs (as held at that instant), A per phase. */
  offeredAt(tMs: number): number {
    let version = this.versions[0];
    for (const v of this.versions) if (v.atMs <= tMs) version = v;
    const limitA = limitAtA(version?.profiles ?? [], tMs, {
      evseId: 1,
      phases: this.spec.phases,
      voltageV: this.voltageV,
      ...(this.transactionId !== undefined && this.txStartMs !== undefined && tMs >= this.txStartMs ? { transactionId: this.transactionId, txStartMs: this.txStartMs } : {}),
    });
    return Math.max(0, Math.min(this.spec.maxCurrentA, limitA ?? this.spec.maxCurrentA));
  }

  /** The current the EV really draws at tMs on each charger phase, A: the offer of followDelayS before, once the transaction runs. */
  drawAt(tMs: number): number {
    if (this.txStartMs === undefined || tMs < this.txStartMs) return 0;
    const seenMs = tMs - this.spec.followDelayS * 1000;
    if (seenMs < this.txStartMs) return 0;
    const offerA = this.offeredAt(seenMs);
    return offerA >= (this.spec.evMinA ?? 6) ? Math.min(this.wantA, offerA) : 0;
  }

  /** The real draw at tMs on each grid phase, A. */
  gridDrawAt(tMs: number): PerPhase {
    const out: PerPhase = { L1: 0, L2: 0, L3: 0 };
    const a = this.drawAt(tMs);
    for (const p of this.spec.rotation) out[p] += a;
    return out;
  }

  /** Instants at which the real draw may change (the EV following a write or a lease end), ms. */
  drawChangeTimes(): number[] {
    const d = this.spec.followDelayS * 1000;
    const out: number[] = [];
    if (this.txStartMs !== undefined) out.push(this.txStartMs, this.txStartMs + d);
    for (const v of this.versions) {
      if (!Number.isFinite(v.atMs)) continue;
      out.push(v.atMs + d);
      for (const p of v.profiles) {
        if (p.validToMs !== undefined) out.push(p.validToMs + d);
        if (p.validFromMs !== undefined) out.push(p.validFromMs + d);
      }
    }
    return out;
  }

  private onSetChargingProfile(params: unknown): { status: string } {
    const held = this.spec.version === '1.6' ? fromSet16(params as Parameters<typeof fromSet16>[0]) : fromSet201(params as Parameters<typeof fromSet201>[0]);
    const nowMs = this.clock.nowMs();
    const before = this.offeredAt(nowMs);
    this.setProfiles(install(this.current(), held), nowMs);
    this.writes.push({ atMs: nowMs, profileId: held.id, stackLevel: held.stackLevel, ...(held.validToMs !== undefined ? { validToMs: held.validToMs } : {}), offeredBeforeA: before, offeredAfterA: this.offeredAt(nowMs) });
    // The charger tells the hub when its EV starts or stops drawing, once the EV followed.
    this.after(this.spec.followDelayS * 1000, () => void this.reportState());
    return { status: 'Accepted' };
  }

  private onClear(params: { id?: number; chargingProfileId?: number }): { status: string } {
    const id = params.id ?? params.chargingProfileId;
    const kept = id === undefined ? [] : this.current().filter((p) => p.id !== id);
    const removed = this.current().length - kept.length;
    this.setProfiles(kept, this.clock.nowMs());
    return { status: removed > 0 ? 'Accepted' : 'Unknown' };
  }

  private current(): HeldProfile[] {
    return this.versions[this.versions.length - 1]?.profiles ?? [];
  }

  private setProfiles(profiles: HeldProfile[], atMs: number): void {
    const last = this.versions[this.versions.length - 1];
    if (last && last.atMs === atMs) last.profiles = profiles;
    else this.versions.push({ atMs, profiles });
  }

  private scheduleHeartbeat(): void {
    if (this.heartbeatS <= 0) return;
    this.after(this.heartbeatS * 1000, () => {
      void this.track(() => this.call('Heartbeat', {}));
      this.scheduleHeartbeat();
    });
  }

  private scheduleReport(): void {
    this.after(this.spec.reportPeriodS * 1000, () => {
      void this.track(async () => {
        await this.reportCurrent();
        await this.reportState();
      });
      this.scheduleReport();
    });
  }

  /** The charger's phases in use, with their 1.6/2.0.1 phase names. */
  private samplesA(): { phase: string; a: number }[] {
    const a = this.drawAt(this.clock.nowMs());
    return ['L1', 'L2', 'L3'].slice(0, this.spec.phases).map((phase) => ({ phase, a }));
  }

  private async reportCurrent(): Promise<void> {
    const timestamp = this.iso();
    if (this.spec.version === '1.6') {
      await this.call('MeterValues', {
        connectorId: 1,
        transactionId: Number(this.transactionId),
        meterValue: [{ timestamp, sampledValue: this.samplesA().map((s) => ({ value: s.a.toFixed(2), context: 'Sample.Periodic', measurand: 'Current.Import', phase: s.phase, unit: 'A' })) }],
      });
      return;
    }
    await this.call('TransactionEvent', {
      eventType: 'Updated',
      timestamp,
      triggerReason: 'MeterValuePeriodic',
      seqNo: this.seqNo++,
      transactionInfo: { transactionId: this.transactionId },
      meterValue: [{ timestamp, sampledValue: this.samplesA().map((s) => ({ value: Math.round(s.a * 100) / 100, context: 'Sample.Periodic', measurand: 'Current.Import', phase: s.phase, unitOfMeasure: { unit: 'A' } })) }],
    });
  }

  /** Tells the hub whether the EV draws (Charging) or waits for an offer (SuspendedEVSE), when that changed. */
  private async reportState(): Promise<void> {
    if (this.transactionId === undefined) return;
    const state = this.drawAt(this.clock.nowMs()) > 0 ? 'Charging' : 'SuspendedEVSE';
    if (state === this.reportedState) return;
    this.reportedState = state;
    if (this.spec.version === '1.6') {
      await this.status(state);
      return;
    }
    await this.call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: this.iso(),
      triggerReason: 'ChargingStateChanged',
      seqNo: this.seqNo++,
      transactionInfo: { transactionId: this.transactionId, chargingState: state },
    });
  }

  private async status(status: string): Promise<void> {
    const timestamp = this.iso();
    if (this.spec.version === '1.6') await this.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status, timestamp });
    else await this.call('StatusNotification', { timestamp, connectorStatus: status, evseId: 1, connectorId: 1 });
  }

  private iso(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }

  private async call(method: string, params: object): Promise<unknown> {
    return this.track(() => this.client.call(method, params));
  }

  /** Counts a flow as under way until it settles (the simulation waits for quiet before moving time on). */
  private async track<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    try {
      return await fn();
    } finally {
      this.pending--;
    }
  }

  private after(delayMs: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, delayMs);
    this.timers.add(handle);
  }
}
