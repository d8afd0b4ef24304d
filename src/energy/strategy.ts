import type { ChargingProfile, OperationMode } from './charging-profile.js';
import type { CircuitNode, EvseLiveState, EvseModel } from './site-model.js';
import type { AgedReading } from './meter-reading.js';
import type { CurrentLimit, LimitSource } from './limit.js';

/** Everything a strategy may look at. Pure data; time is a field, not a call. */
/**
 * Solar-surplus charging mode of an EVSE: `off` (0 A), `now` (at its max), `min+pv` (at least its
 * min, more from surplus), `pv` (from surplus only).
 */
export type SolarMode = 'off' | 'now' | 'min+pv' | 'pv';
export const SOLAR_MODES: readonly SolarMode[] = ['off', 'now', 'min+pv', 'pv'];

export interface SiteSnapshot {
  nowMs: number;
  circuits: CircuitNode[];
  evses: EvseModel[];
  live: Record<string, EvseLiveState>;
  /** Latest reading per meter id, aged. */
  meters: Record<string, AgedReading>;
  /** Role of well-known meters: which meter is the grid connection, which the PV. */
  meterRoles: { gridMeterId?: string; pvMeterId?: string; batteryMeterId?: string };
  /** Each EVSE's operation mode (default LocalLoadBalancing). */
  modes: Record<string, OperationMode>;
  /** Solar modes set at runtime (API, MQTT), by EVSE key; they win over the strategy's configured ones. */
  solarModes?: Record<string, SolarMode>;
  /** CSMS charging profiles per station id (inputs to the composite). */
  csmsProfiles: Record<string, ChargingProfile[]>;
  /**
   * Stations that share one evse 0 towards the CSMS: its ChargingStationMaxProfile caps the sum of
   * all their EVSEs (hub mode: every station of the site in one group). Absent: each station alone.
   */
  csmsStationGroups?: readonly (readonly string[])[];
  /** Temporary site-wide import limit (API override or cron rule), W per phase-agnostic total. */
  siteLimitW?: { powerW: number; source: LimitSource };
  /**
   * Live power setpoints (OCPP 2.1 CentralSetpoint / ExternalSetpoint), W, signed: positive
   * charges, negative discharges. `siteW` is the total for the EVSEs under setpoint control.
   */
  setpoints?: {
    siteW?: { valueW: number; source: LimitSource };
    evse?: Record<string, { valueW: number; dischargeLimitW?: number; source: LimitSource }>;
  };
  /**
   * Limits already known per EVSE key at this instant (CSMS composite schedule, earlier
   * strategies), so that strategies sharing capacity do not hold back current an EVSE cannot use.
   */
  evseCaps?: Record<string, CurrentLimit[]>;
}

/**
 * A strategy's output for one EVSE (evseKey) or the whole site (no evseKey).
 * Current in A per phase; setpoint in W (positive charge, negative discharge).
 */
export interface Decision {
  evseKey?: string;
  maxCurrentA?: number;
  setpointW?: number;
  /** Most negative power allowed when discharging, W (<= 0). */
  dischargeLimitW?: number;
  /** Phases the EVSE should use (1p/3p switching); absent = unchanged. */
  numberPhases?: 1 | 3;
  source: LimitSource;
  reason: string;
}

/**
 * A strategy is pure and synchronous: the same snapshot and state give the same result.
 * Memory between calls (hysteresis timers, ramps) lives in the state it returns.
 */
export interface Strategy<S = unknown> {
  readonly name: string;
  initialState(): S;
  decide(snapshot: SiteSnapshot, state: S): { decisions: Decision[]; state: S };
}
