import type { HandlerContext, HandlerTarget, StationHandler, StationHandlers } from './handler-context.js';
import { STORED_NOTIFICATIONS_2X, registerHandlers } from './handler-context.js';
import { isoTime } from '../../util/clock.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import {
  connectorStateOf2x,
  meterValueOf2x,
  transactionEventOf2x,
  type MeterValue2x,
  type StatusNotification2x,
  type TransactionEvent2x,
} from '../../ocpp/adapters/v2x.js';

interface Boot2x {
  chargingStation: { model: string; vendorName: string; serialNumber?: string; firmwareVersion?: string };
  reason: string;
}

/** ISO 15118 / certificate calls: the hub has no CA of its own (upstream modes pass them to the CSMS). */
const NO_CA = { reasonCode: 'NoCA', additionalInfo: 'the hub signs and checks no certificates itself' };
const CERTIFICATE_ANSWERS: Record<string, object> = {
  SignCertificate: { status: 'Rejected', statusInfo: NO_CA },
  Get15118EVCertificate: { status: 'Failed', statusInfo: NO_CA, exiResponse: '' },
  GetCertificateStatus: { status: 'Failed', statusInfo: NO_CA },
};

/** A stored notification: kept, answered {} (or the action's fixed answer; a copy, as the caller may add to it). */
function stored(action: string, answer: object): [string, StationHandler] {
  return [
    action,
    ({ payload }, { stationId, service }) => {
      service.notification(stationId, action, payload);
      return { ...answer };
    },
  ];
}

/** OCPP 2.0.1 / 2.1 station -> hub handlers (standalone: the hub answers as the CSMS), shared by every 2.x session. */
export const V2X_HANDLERS: StationHandlers = new Map<string, StationHandler>([
  ['BootNotification', ({ payload }, { stationId, version, service, clock }) => {
    const { chargingStation: cs } = payload as Boot2x;
    const answer = service.boot(stationId, version, {
      vendor: cs.vendorName,
      model: cs.model,
      ...(cs.serialNumber ? { serialNumber: cs.serialNumber } : {}),
      ...(cs.firmwareVersion ? { firmwareVersion: cs.firmwareVersion } : {}),
    });
    return { status: answer.status, currentTime: isoTime(clock.nowMs()), interval: answer.intervalS };
  }],
  ['Heartbeat', (_call, { stationId, service, clock }) => {
    service.seen(stationId);
    return { currentTime: isoTime(clock.nowMs()) };
  }],
  ['StatusNotification', ({ payload }, { stationId, service, clock }) => {
    service.status(connectorStateOf2x(stationId, payload as StatusNotification2x, clock.nowMs()));
    return {};
  }],
  ['Authorize', ({ payload }, { stationId, service }) => {
    const { idToken } = payload as { idToken: { idToken: string; type: string } };
    return { idTokenInfo: { status: service.authorize(stationId, idToken.idToken).status } };
  }],
  ['TransactionEvent', ({ payload }, { stationId, service, clock }) => {
    const p = payload as TransactionEvent2x;
    const known = service.transactionContext(stationId, p.transactionInfo.transactionId);
    service.transactionEvent(transactionEventOf2x(stationId, p, clock.nowMs(), known?.evseId));
    // 2.x: idTokenInfo is expected when the event carries an idToken.
    return p.idToken ? { idTokenInfo: { status: service.authorize(stationId, p.idToken.idToken).status } } : {};
  }],
  ['MeterValues', ({ payload }, { stationId, service, clock }) => {
    const p = payload as { evseId: number; meterValue: MeterValue2x[] };
    service.meterValuesOutsideTransaction(stationId, p.evseId, p.meterValue.map((mv) => meterValueOf2x(mv, clock.nowMs())));
    return {};
  }],
  stored('DataTransfer', { status: 'UnknownVendorId' }),
  ...Object.entries(CERTIFICATE_ANSWERS).map(([action, answer]) => stored(action, answer)),
  ...STORED_NOTIFICATIONS_2X.map((action) => stored(action, {})),
]);

/** Registers the 2.x handlers on one peer for one station (a peer of its own, e.g. a benchmark's). */
export function registerV2xHandlers(peer: HandlerTarget, ctx: Omit<HandlerContext, 'version'>, version: OcppVersion): void {
  registerHandlers(peer, V2X_HANDLERS, { ...ctx, version });
}
