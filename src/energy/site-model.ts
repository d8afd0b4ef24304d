import type { Phase, PerPhase } from './phases.js';
import type { DrawSample, OfferStep } from './draw/draw-at.js';

/** A node of the site's circuit tree: the grid connection at the root, fuses and sub-circuits below. */
export interface CircuitNode {
  id: string;
  /** Undefined for the root (the grid connection). */
  parentId?: string;
  /** Max current per grid phase in A. */
  maxCurrentA: PerPhase;
  /** Optional max total active power in W (import positive). */
  maxPowerW?: number;
  /** Meter measuring the whole load of this circuit (EVs included), if any. */
  meterId?: string;
}

/** What the energy code needs to know about one EVSE. Keys are `<stationId>/<evseId>`. */
export interface EvseModel {
  key: string;
  circuitId: string;
  /** Number of phases the EVSE uses (1 or 3). */
  phases: 1 | 3;
  /** Grid phase of each EVSE phase, in order; length = phases. E.g. ['L2'] or ['L2','L3','L1']. */
  phaseRotation: Phase[];
  /** Lowest current per phase the EVSE can charge at, in A (default 6). */
  minCurrentA: number;
  /** Highest current per phase, in A. */
  maxCurrentA: number;
  /** Higher gets a larger share; default 1. */
  priority: number;
  /** Nominal phase voltage, V (default 230). */
  voltageV: number;
  /** DC EVSEs are limited in W; AC in A. */
  maxPowerW?: number;
  /** Can discharge (V2X). */
  bidirectional: boolean;
}

/** Live state of an EVSE as the controller sees it. */
export interface EvseLiveState {
  key: string;
  /** Connected station and an EV that wants power (in a transaction, not finished). */
  active: boolean;
  /** Current the EV draws now per EVSE phase (first entries used), in A, if measured. */
  measuredCurrentA?: number[];
  /** Recent reports of that current with their times (oldest first), for lining them up with meter readings. */
  samples?: readonly DrawSample[];
  /** Offers the hub sent this EVSE recently (oldest first), when they are known. */
  offers?: readonly OfferStep[];
  /** False once the EVSE rejected a profile: budget it at its max. */
  controllable: boolean;
  transactionId?: string;
  transactionStartedMs?: number;
}
