/**
 * The controller components of the hub's device model (OCPP 2.0.1 Part 2 Appendix 3,
 * "referenced components and variables"), with what the hub really does: every value here is
 * the hub's own behaviour or setting, never a guess about a charger behind it. Variables whose
 * value depends on each downstream charger's configuration (e.g. TxCtrlr.EVConnectionTimeOut,
 * SampledDataCtrlr.TxUpdatedInterval) are left out rather than reported wrong. Pure.
 */
import type { DataType, VariableEntry } from './device-model.js';
import type { ComponentRef } from './wire-2x.js';

/** What the hub's controllers report. */
export interface HubSettings {
  /** OCPP security profile of the site link: 0 (none), 1 (Basic), 2 (TLS + Basic), 3 (TLS + client certificate). */
  securityProfile: number;
  /** How long the hub waits for the CSMS's answer, s. */
  messageTimeoutS: number;
  /** WebSocket ping interval on the site link, s (0: off). */
  webSocketPingIntervalS: number;
  /** Offline, an id token on no list is accepted. */
  offlineTxForUnknownId: boolean;
  /** The hub's own limits are reported (NotifyChargingLimit) when they change by more than this, percent. */
  limitChangeSignificancePercent: number;
  /** CSMS charging profiles the hub holds. */
  chargingProfileEntries: number;
}

/** Most periods in a ChargingSchedule (the schema's maxItems). */
const PERIODS_PER_SCHEDULE = 1024;
/** The hub takes any stack level the schema allows. */
const MAX_STACK_LEVEL = 2_147_483_647;

type Mutability = VariableEntry['mutability'];

export function controllerEntries(s: HubSettings): VariableEntry[] {
  const entries: VariableEntry[] = [];
  const add = (component: string, name: string, value: string, dataType: DataType, extra: Partial<VariableEntry> & { instance?: string; mutability?: Mutability } = {}): void => {
    const { instance, mutability, ...rest } = extra;
    const ref: ComponentRef = { name: component };
    entries.push({ component: ref, variable: { name, ...(instance ? { instance } : {}) }, value, mutability: mutability ?? 'ReadOnly', dataType, ...rest });
  };
  const bool = (b: boolean): string => String(b);

  add('OCPPCommCtrlr', 'MessageTimeout', String(s.messageTimeoutS), 'integer', { instance: 'Default', unit: 's' });
  add('OCPPCommCtrlr', 'WebSocketPingInterval', String(s.webSocketPingIntervalS), 'integer', { unit: 's' });

  add('SecurityCtrlr', 'SecurityProfile', String(s.securityProfile), 'integer');

  add('SmartChargingCtrlr', 'Enabled', 'true', 'boolean');
  add('SmartChargingCtrlr', 'Available', 'true', 'boolean');
  add('SmartChargingCtrlr', 'Entries', String(s.chargingProfileEntries), 'integer', { instance: 'ChargingProfiles' });
  add('SmartChargingCtrlr', 'LimitChangeSignificance', String(s.limitChangeSignificancePercent), 'decimal', { unit: 'Percent', minLimit: 0, maxLimit: 100, mutability: 'ReadWrite' });
  add('SmartChargingCtrlr', 'PeriodsPerSchedule', String(PERIODS_PER_SCHEDULE), 'integer');
  add('SmartChargingCtrlr', 'ProfileStackLevel', String(MAX_STACK_LEVEL), 'integer');
  add('SmartChargingCtrlr', 'RateUnit', 'A,W', 'MemberList', { valuesList: 'A,W' });
  // NotifyChargingLimit carries the hub's limit as a one-period schedule.
  add('SmartChargingCtrlr', 'NotifyChargingLimitWithSchedules', 'true', 'boolean');

  add('AuthCtrlr', 'Enabled', 'true', 'boolean');
  // The hub forwards a remote start's token with the start; it does not authorize it again.
  add('AuthCtrlr', 'AuthorizeRemoteStart', 'false', 'boolean');
  // Offline the hub answers from its local list and authorization cache.
  add('AuthCtrlr', 'LocalAuthorizeOffline', 'true', 'boolean');
  // Online every Authorize goes to the CSMS.
  add('AuthCtrlr', 'LocalPreAuthorize', 'false', 'boolean');
  add('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', bool(s.offlineTxForUnknownId), 'boolean');

  // 1.6 chargers start a transaction when authorized with the EV plugged in, and end it when
  // either ends: the hub's Started/Ended events follow that. 2.x chargers report their own.
  add('TxCtrlr', 'TxStartPoint', 'PowerPathClosed', 'MemberList', { valuesList: 'ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer' });
  add('TxCtrlr', 'TxStopPoint', 'EVConnected,Authorized', 'MemberList', { valuesList: 'ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer' });

  add('SampledDataCtrlr', 'Enabled', 'true', 'boolean');
  add('SampledDataCtrlr', 'Available', 'true', 'boolean');
  return entries;
}
