/**
 * One EVSE of a simulated station: its plug, EV, transaction and energy register, and the
 * physics that moves energy from the grid into the EV. No I/O; time is passed in.
 */
import type { ChargingProfile } from '../energy/charging-profile.js';
import { EvModel } from './ev-model.js';

/** Why a transaction ends, in neutral terms; each OCPP dialect maps it to its own enums. */
export type StopReason = 'Local' | 'Remote' | 'EVDisconnected' | 'DeAuthorized' | 'HardReset' | 'SoftReset';

/** The 2.x charging state, which the 1.6 statuses refine. */
export type ChargingState = 'EVConnected' | 'Charging' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

export interface SimTransaction {
  /** The transaction id on the wire (1.6: the CSMS's integer as a string; 2.x: our UUID). */
  id: string;
  idTag: string;
  startedMs: number;
  meterStartWh: number;
  /** Next 2.x sequence number. */
  seqNo: number;
  remoteStartId?: number;
}

/** An authorization waiting for an EV to plug in (or for a transaction to start). */
export interface PendingStart {
  idTag: string;
  /** Started by the CSMS (RemoteStart / RequestStartTransaction). */
  remote?: boolean;
  remoteStartId?: number;
  /** A TxProfile that comes with a remote start; installed once the transaction has its id. */
  profile?: ChargingProfile;
}

/** One meter reading taken inside the EVSE. */
export interface MeterSample {
  timeMs: number;
  /** Energy register (import), Wh. */
  energyWh: number;
  powerW: number;
  /** Current on each EVSE phase in use (L1, L2, L3 in order), A. */
  currentA: number[];
  socPct?: number;
}

/** One sampled value in a dialect's wire form: value, measurand, unit and extra fields (location, phase). */
export type SampledValueOf = (value: number, measurand: string, unit: string, extra?: object) => object;

/** What a station reports of one meter sample (energy, power, current per phase, SoC), in a dialect's form. */
export function sampledValuesOf(s: MeterSample, v: SampledValueOf): object[] {
  const out = [
    v(s.energyWh, 'Energy.Active.Import.Register', 'Wh', { location: 'Outlet' }),
    v(s.powerW, 'Power.Active.Import', 'W', { location: 'Outlet' }),
    ...s.currentA.map((a, i) => v(a, 'Current.Import', 'A', { phase: `L${i + 1}`, location: 'Outlet' })),
  ];
  if (s.socPct !== undefined) out.push(v(s.socPct, 'SoC', 'Percent', { location: 'EV' }));
  return out;
}

export interface SimEvseSpec {
  evseId: number;
  phases: number;
  maxCurrentA: number;
  voltageV: number;
  nowMs: number;
}

/** Longest physics step: the offered current is re-evaluated at least this often, ms. */
const MAX_STEP_MS = 60_000;

export class SimEvse {
  readonly evseId: number;
  readonly phases: number;
  readonly maxCurrentA: number;
  readonly voltageV: number;
  ev: EvModel | undefined;
  tx: SimTransaction | undefined;
  /** A transaction start is in flight (stops a second one). */
  starting = false;
  /** A transaction stop is in flight. */
  stopping = false;
  pendingStart: PendingStart | undefined;
  /** A transaction ended while the EV stayed plugged (1.6 Finishing). */
  finishing = false;
  operative = true;
  /** ChangeAvailability Inoperative waiting for the transaction to end. */
  inoperativeScheduled = false;
  energyRegisterWh = 0;
  offeredCurrentA = 0;
  drawnCurrentA = 0;
  /** What the CSMS was last told. */
  reportedStatus: string | undefined;
  reportedChargingState: ChargingState | undefined;
  private lastStepMs: number;

  constructor(spec: SimEvseSpec) {
    this.evseId = spec.evseId;
    this.phases = spec.phases;
    this.maxCurrentA = spec.maxCurrentA;
    this.voltageV = spec.voltageV;
    this.lastStepMs = spec.nowMs;
  }

  /** Phases the plugged EV uses on this EVSE (the EVSE's own when none is plugged). */
  phasesInUse(): number {
    return this.ev ? Math.max(1, Math.min(this.ev.phases, this.phases)) : this.phases;
  }

  /** Energy flows only in a running transaction. */
  energized(): boolean {
    return this.tx !== undefined && this.ev !== undefined && this.operative;
  }

  /** Moves the physics to nowMs; offeredAt gives the offered current at an instant. */
  advance(nowMs: number, offeredAt: (tMs: number) => number): void {
    while (this.lastStepMs < nowMs) {
      const stepEndMs = Math.min(nowMs, this.lastStepMs + MAX_STEP_MS);
      if (this.energized() && this.ev) {
        const r = this.ev.step((stepEndMs - this.lastStepMs) / 1000, offeredAt(this.lastStepMs), this.voltageV, this.phases);
        this.energyRegisterWh += r.energyWh;
      }
      this.lastStepMs = stepEndMs;
    }
    this.offeredCurrentA = this.energized() ? offeredAt(nowMs) : 0;
    this.drawnCurrentA = this.energized() && this.ev ? this.ev.currentAt(this.offeredCurrentA) : 0;
  }

  chargingState(): ChargingState {
    if (!this.ev) return 'Idle';
    if (!this.tx) return 'EVConnected';
    if (!this.ev.wantsPower()) return 'SuspendedEV';
    if (this.drawnCurrentA <= 0) return 'SuspendedEVSE';
    return 'Charging';
  }

  sample(nowMs: number): MeterSample {
    const n = this.phasesInUse();
    return {
      timeMs: nowMs,
      energyWh: this.energyRegisterWh,
      powerW: this.drawnCurrentA * this.voltageV * n,
      currentA: Array.from({ length: n }, () => this.drawnCurrentA),
      socPct: this.ev?.socPct,
    };
  }
}
