/**
 * What differs between OCPP 1.6 and 2.x in a simulated station. The station core (SimCharger)
 * owns the state and timers; a dialect turns its events into wire messages and answers the
 * CSMS's calls by asking the core.
 */
import type { ChargingProfile, RateUnit } from '../energy/charging-profile.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { CompositePeriod } from './profile-eval.js';
import type { ClearCriteria } from './profile-store.js';
import type { PendingStart, SimEvse, StopReason } from './sim-evse.js';
import type { SimSettings } from './sim-settings.js';

export type TriggerableMessage = 'BootNotification' | 'Heartbeat' | 'StatusNotification' | 'MeterValues' | 'TransactionEvent';

export interface ChargerCore {
  readonly identity: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly evses: readonly SimEvse[];
  readonly settings: SimSettings;
  isBootAccepted(): boolean;
  /** Sends a CALL; rejects when the CSMS answers with a CALLERROR or the link is down. */
  call(method: string, params: object): Promise<Record<string, unknown>>;
  evse(evseId: number): SimEvse | undefined;
  /** Brings the EVSE's physics up to now (call before reading its register). */
  settle(evse: SimEvse): void;
  installProfile(profile: ChargingProfile): 'Accepted' | 'Rejected';
  clearProfiles(criteria: ClearCriteria): number;
  composite(evseId: number, durationS: number, rateUnit: RateUnit): { startMs: number; periods: CompositePeriod[] } | undefined;
  /** Accepts a remote start on the given (or the first suitable) EVSE. */
  remoteStart(evseId: number | undefined, start: PendingStart): boolean;
  remoteStop(transactionId: string): boolean;
  reset(hard: boolean): void;
  changeAvailability(evseId: number, operative: boolean): 'Accepted' | 'Scheduled' | 'Rejected';
  trigger(message: TriggerableMessage, evseId: number | undefined): boolean;
}

export type TransactionTrigger = 'Authorized' | 'RemoteStart';

export interface Dialect {
  /** 1.6 sends heartbeats always; 2.x only when the link is otherwise idle. */
  readonly heartbeatWhenBusy: boolean;
  bootRequest(reboot: boolean): object;
  wireStatus(evse: SimEvse): string;
  /** Status notifications to send at boot beyond one per EVSE (1.6: connector 0). */
  stationStatusRequests(nowMs: number): object[];
  statusRequest(evse: SimEvse, status: string, nowMs: number): object;
  /** Returns the authorization status. */
  authorize(core: ChargerCore, idTag: string): Promise<string>;
  /** Starts a transaction and sets evse.tx; returns false when the CSMS refused it. */
  startTransaction(core: ChargerCore, evse: SimEvse, start: PendingStart, trigger: TransactionTrigger): Promise<boolean>;
  meterValues(core: ChargerCore, evse: SimEvse, triggered: boolean): Promise<void>;
  chargingStateChanged(core: ChargerCore, evse: SimEvse): Promise<void>;
  /** Ends the transaction on the wire; the core clears evse.tx afterwards. */
  stopTransaction(core: ChargerCore, evse: SimEvse, reason: StopReason): Promise<void>;
  registerHandlers(core: ChargerCore, handle: HandleFn): void;
}

/** Registers a handler for an incoming CALL; params arrive validated against the schemas. */
export type HandleFn = <T>(method: string, fn: (params: T) => Promise<object> | object) => void;
