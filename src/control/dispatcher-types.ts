import type { OcppVersion } from '../ocpp/versions.js';
import type { ChargerCapabilities } from './charger-capabilities.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { SetpointMode } from './profile-payload.js';

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
  /** Least current the EV charges at, A: a raise from below it (a start) is not held back by minIntervalS. */
  minA?: number;
  /**
   * The highest limit this EVSE may take now without waiting for any decrease still under way
   * elsewhere (the other EVSEs counted at the most they may still draw), A. An increase up to it
   * does not depend on those decreases and is not held back by make-before-break; a start
   * (from below minA) gets at least this much at once when it reaches minA. Absent: every
   * increase waits for the decreases.
   */
  aloneA?: number;
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
  /** Time an EV gets to follow an accepted decrease before increases that depend on it go, s. Default 30. */
  settleS?: number;
  /** Whether two EVSEs share capacity (a circuit and grid phase); default: all do. */
  sharesCapacity?(a: string, b: string): boolean;
  /** Whether an EVSE's measured current reported after sinceMs shows it follows limitA (ends the settle wait early). */
  follows?(evseKey: string, limitA: number, sinceMs: number): boolean;
  /** Let a dynamic profile equal to the base lapse into it instead of renewing it. Default true (false: earlier releases). */
  lapseToBase?: boolean;
  /** Most profile writes per charger in any 24 h before increases stop (decreases and renewals still go). Default none. */
  writeBudgetPerDay?: number;
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
  /** Profile writes to this EVSE in the last hour and day. */
  writes: { lastHour: number; lastDay: number };
}

export type ControllabilityListener = (evseKey: string, controllable: boolean) => void;

