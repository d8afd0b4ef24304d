import type { TimerHandle } from '../util/clock.js';
import type { OfferStep } from '../energy/draw/draw-at.js';
import type { WireSetpoint } from './profile-payload.js';
import type { EvseTarget } from './dispatcher-types.js';

/** The dispatcher's state of one EVSE: its target, what it sent and what the EVSE accepted, its timer. */
export interface Slot {
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
