import type { ChargingProfile, OperationMode, RateUnit } from '../charging-profile.js';
import type { LimitSource } from '../limit.js';

/**
 * A limit from the hub itself (a strategy's decision, the circuit tree's share, an API override)
 * that caps one EVSE, optionally only during [fromMs, toMs).
 * Give maxCurrentA (A per phase), maxPowerW (W in total), or both (both then apply).
 */
export interface TimedLimit {
  source: LimitSource;
  /** Max current on each phase in use, A. */
  maxCurrentA?: number;
  /** Max total power, W; converted to A with the voltage and the phases in use. */
  maxPowerW?: number;
  /** Phases the EVSE may use while this limit holds (phase switching); absent: no restriction. */
  numberPhases?: number;
  /** Start of the limit, ms since the epoch; absent: since forever. */
  fromMs?: number;
  /** End of the limit (exclusive), ms since the epoch; absent: for ever. */
  toMs?: number;
}

/** The electrical rating of the EVSE (or, for evseId 0, of the station's connection). */
export interface EvseRating {
  phases: 1 | 3;
  /** Nominal phase voltage, V. */
  voltageV: number;
  /** Highest current per phase, A. */
  maxCurrentA: number;
  /** Highest total power, W, when the EVSE has one (DC, or a derated AC unit). */
  maxPowerW?: number;
}

/** The transaction running on the requested EVSE. */
export interface RunningTransaction {
  id: string;
  /** When it started, ms since the epoch: the anchor of Relative profiles. */
  startedMs: number;
}

export interface CompositeRequest {
  /** Start of the schedule (scheduleStart), ms since the epoch. */
  nowMs: number;
  /** Horizon in s; the schedule covers [nowMs, nowMs + durationS * 1000). */
  durationS: number;
  /** The EVSE on this station (>= 1), or 0 for the station as a whole. */
  evseId: number;
  /** All profiles installed on this station, on evse 0 and on specific EVSEs. */
  profiles: readonly ChargingProfile[];
  /** The transaction running on this EVSE, if any. */
  transaction?: RunningTransaction;
  evse: EvseRating;
  /** Unit of the answer. */
  rateUnit: RateUnit;
  /** Extra limits from the hub, each with its source. */
  localLimits?: readonly TimedLimit[];
  /** OCPP 2.1: the driver asked for priority charging, so PriorityCharging profiles apply. */
  priorityCharging?: boolean;
}

/** The effective limit at one instant, in the request's rate unit, and who set it. */
export interface EffectiveLimit {
  /** A per phase, or W in total; never negative. */
  limit: number;
  /** Phases in use (the W <-> A conversions used this). */
  numberPhases: number;
  source: LimitSource;
  /** OCPP 2.1 setpoint (positive charges, negative discharges), clamped into [dischargeLimit, limit]. */
  setpoint?: number;
  /** OCPP 2.1: most negative value allowed when discharging (<= 0). */
  dischargeLimit?: number;
  operationMode?: OperationMode;
}

export interface CompositePeriod extends EffectiveLimit {
  /** Offset from scheduleStart, s (fractional only when the inputs have sub-second times). */
  startOffsetS: number;
}

export interface CompositeSchedule {
  evseId: number;
  scheduleStartMs: number;
  durationS: number;
  rateUnit: RateUnit;
  /** Sorted, contiguous from offset 0, equal neighbours merged; never empty. */
  periods: CompositePeriod[];
}
