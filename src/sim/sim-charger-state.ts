/** What a simulated station reports of itself: its link, boot and each EVSE's state. */
import type { ChargingProfile } from '../energy/charging-profile.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { ChargingState, SimEvse } from './sim-evse.js';
import type { BootResponse } from './wire-16.js';

export interface SimEvseState {
  evseId: number;
  /** Status as last sent on the wire (1.6 or 2.x vocabulary). */
  status: string | undefined;
  chargingState: ChargingState;
  evPlugged: boolean;
  operative: boolean;
  /** Current offered to the EV per phase, A (0 outside a transaction). */
  offeredCurrentA: number;
  /** Current the EV draws per phase, A. */
  drawnCurrentA: number;
  phasesInUse: number;
  /** Energy register of the EVSE meter, Wh. */
  energyWh: number;
  socPct?: number;
  transactionId?: string;
  idTag?: string;
  /** The installed profiles that concern this EVSE (its own and the station-wide ones). */
  profiles: ChargingProfile[];
  /** `csms:profile <id>` when a profile limits the offered current, else `evse:max`. */
  limitSource: string;
}

export interface SimChargerState {
  identity: string;
  version: OcppVersion;
  connected: boolean;
  bootStatus: BootResponse['status'] | undefined;
  heartbeatIntervalS: number;
  meterIntervalS: number;
  evses: SimEvseState[];
}

/** The state of an EVSE whose physics has been brought up to now, with its profiles and what limits it. */
export function simEvseState(e: SimEvse, profiles: ChargingProfile[], limitSource: string): SimEvseState {
  return {
    evseId: e.evseId,
    status: e.reportedStatus,
    chargingState: e.chargingState(),
    evPlugged: e.ev !== undefined,
    operative: e.operative,
    offeredCurrentA: e.offeredCurrentA,
    drawnCurrentA: e.drawnCurrentA,
    phasesInUse: e.phasesInUse(),
    energyWh: e.energyRegisterWh,
    socPct: e.ev?.socPct,
    transactionId: e.tx?.id,
    idTag: e.tx?.idTag,
    profiles,
    limitSource,
  };
}
