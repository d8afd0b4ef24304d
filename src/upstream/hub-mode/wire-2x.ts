/**
 * The OCPP 2.0.1 / 2.1 payload shapes hub mode builds (only the fields it sets). The official
 * schemas stay the authority: every built payload is checked against them in the tests.
 */
import type { OutboxKind } from '../../store/outbox-repo.js';

/** The version of the hub's own upstream link. */
export type UpstreamVersion = '2.0.1' | '2.1';

export interface IdToken2x {
  idToken: string;
  type: string;
  additionalInfo?: { additionalIdToken: string; type: string }[];
}

export interface IdTokenInfo2x {
  status: string;
  cacheExpiryDateTime?: string;
  groupIdToken?: IdToken2x;
  evseId?: number[];
}

export interface StatusInfo2x {
  reasonCode: string;
  additionalInfo?: string;
}

export interface UnitOfMeasure2x {
  unit?: string;
  multiplier?: number;
}

export interface SampledValue2xOut {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unitOfMeasure?: UnitOfMeasure2x;
}

export interface MeterValue2xOut {
  timestamp: string;
  sampledValue: SampledValue2xOut[];
}

export interface EvseRef2x {
  id: number;
  connectorId?: number;
}

export interface TransactionEventReq {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  reservationId?: number;
  transactionInfo: {
    transactionId: string;
    chargingState?: string;
    stoppedReason?: string;
    remoteStartId?: number;
  };
  evse?: EvseRef2x;
  idToken?: IdToken2x;
  meterValue?: MeterValue2xOut[];
}

export interface ComponentRef {
  name: string;
  instance?: string;
  evse?: EvseRef2x;
}

export interface VariableRef {
  name: string;
  instance?: string;
}

export interface EventData2x {
  eventId: number;
  timestamp: string;
  trigger: 'Alerting' | 'Delta' | 'Periodic';
  cause?: number;
  actualValue: string;
  techCode?: string;
  techInfo?: string;
  cleared?: boolean;
  transactionId?: string;
  component: ComponentRef;
  variable: VariableRef;
  variableMonitoringId?: number;
  eventNotificationType: 'HardWiredNotification' | 'HardWiredMonitor' | 'PreconfiguredMonitor' | 'CustomMonitor';
}

export interface NotifyEventReq {
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  eventData: EventData2x[];
}

/** One message the hub sends on its upstream link, with the outbox class it belongs to. */
export interface UpstreamMessage {
  action: string;
  payload: object;
  /** billing: transaction events and security events; periodic: superseded data; other. */
  kind: OutboxKind;
  /**
   * Only worth sending while the link is up (Authorize, DataTransfer): when it is down the hub
   * answers the charger itself and does not queue the message.
   */
  live?: true;
}

/** ISO 8601 UTC with milliseconds, as every timestamp the hub writes. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A string field cut to the schema's maxLength. */
export function clip(s: string, maxLength: number): string {
  return s.length <= maxLength ? s : s.slice(0, maxLength);
}
