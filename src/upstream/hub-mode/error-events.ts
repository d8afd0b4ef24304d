/**
 * OCPP 1.6 StatusNotification errorCode -> 2.x NotifyEvent. 2.x reports problems as events on a
 * device-model component, not in StatusNotification. Component and variable names are the
 * standardized ones of the 2.0.1 device model (Part 2, Appendix 3); the 1.6 errorCode travels in
 * techCode and the 1.6 info / vendorErrorCode in techInfo, so nothing the charger said is lost.
 *
 * - ConnectorLockFailure -> ConnectorPlugRetentionLock.Problem (connector)  [use case G05]
 * - EVCommunicationError -> CPPWMController.Problem (EVSE)  (control pilot)
 * - GroundFailure -> RCD.Tripped (EVSE)
 * - OverCurrentFailure -> OverCurrentProtection.Tripped (EVSE)
 * - OverVoltage, UnderVoltage -> ElectricalFeed.Problem (EVSE)
 * - PowerMeterFailure -> FiscalMetering.Problem (EVSE)
 * - PowerSwitchFailure -> PowerContactor.Problem (EVSE)
 * - ReaderFailure -> TokenReader.Problem (EVSE)
 * - WeakSignal -> DataLink.Problem (EVSE)
 * - HighTemperature, InternalError, LocalListConflict, ResetFailure, OtherError and anything
 *   else -> EVSE.Problem (EVSE)
 * A charger-wide error (1.6 connectorId 0) names each upstream EVSE of that charger.
 * When the connector reports NoError again, the same component/variable is sent with
 * actualValue "false" and cleared: true.
 */
import type { ComponentRef, EventData2x, EvseRef2x, VariableRef } from './wire-2x.js';
import { clip, isoTime } from './wire-2x.js';

interface ErrorTarget {
  component: string;
  variable: string;
  scope: 'connector' | 'evse';
}

const TARGETS: Record<string, ErrorTarget> = {
  ConnectorLockFailure: { component: 'ConnectorPlugRetentionLock', variable: 'Problem', scope: 'connector' },
  EVCommunicationError: { component: 'CPPWMController', variable: 'Problem', scope: 'evse' },
  GroundFailure: { component: 'RCD', variable: 'Tripped', scope: 'evse' },
  OverCurrentFailure: { component: 'OverCurrentProtection', variable: 'Tripped', scope: 'evse' },
  OverVoltage: { component: 'ElectricalFeed', variable: 'Problem', scope: 'evse' },
  UnderVoltage: { component: 'ElectricalFeed', variable: 'Problem', scope: 'evse' },
  PowerMeterFailure: { component: 'FiscalMetering', variable: 'Problem', scope: 'evse' },
  PowerSwitchFailure: { component: 'PowerContactor', variable: 'Problem', scope: 'evse' },
  ReaderFailure: { component: 'TokenReader', variable: 'Problem', scope: 'evse' },
  WeakSignal: { component: 'DataLink', variable: 'Problem', scope: 'evse' },
};

const FALLBACK: ErrorTarget = { component: 'EVSE', variable: 'Problem', scope: 'evse' };

export function errorTargetOf(errorCode: string): ErrorTarget {
  return TARGETS[errorCode] ?? FALLBACK;
}

export interface ErrorEventInput {
  eventId: number;
  errorCode: string;
  /** Upstream EVSE (and connector, used when the target is connector-scoped). */
  evse?: EvseRef2x;
  timestampMs: number;
  cleared: boolean;
  info?: string;
  vendorId?: string;
  vendorErrorCode?: string;
  /** Downstream station, named in techInfo when no EVSE can be named. */
  stationId: string;
}

export function errorEventData(input: ErrorEventInput): EventData2x {
  const target = errorTargetOf(input.errorCode);
  const component: ComponentRef = { name: target.component };
  if (input.evse) {
    component.evse = target.scope === 'connector' && input.evse.connectorId !== undefined ? { id: input.evse.id, connectorId: input.evse.connectorId } : { id: input.evse.id };
  }
  const variable: VariableRef = { name: target.variable };
  const details = [
    input.evse ? undefined : `station ${input.stationId}`,
    input.info,
    input.vendorId ? `vendor ${input.vendorId}` : undefined,
    input.vendorErrorCode ? `vendorErrorCode ${input.vendorErrorCode}` : undefined,
  ].filter((s): s is string => s !== undefined && s.length > 0);
  return {
    eventId: input.eventId,
    timestamp: isoTime(input.timestampMs),
    trigger: 'Delta',
    actualValue: input.cleared ? 'false' : 'true',
    techCode: clip(input.errorCode, 50),
    ...(details.length > 0 ? { techInfo: clip(details.join('; '), 500) } : {}),
    ...(input.cleared ? { cleared: true } : {}),
    component,
    variable,
    eventNotificationType: 'HardWiredNotification',
  };
}
