import type { HandlerContext, HandlerTarget, StationHandler, StationHandlers } from './handler-context.js';
import { STORED_NOTIFICATIONS_16, registerHandlers } from './handler-context.js';
import { isoTime } from '../../util/clock.js';
import {
  connectorStateOf16,
  endedEventOf16,
  meterValueOf16,
  startedEventOf16,
  updatedEventOf16,
  type MeterValue16,
  type StartTransaction16,
  type StatusNotification16,
  type StopTransaction16,
} from '../../ocpp/adapters/v16.js';

interface Boot16 {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
}

/** OCPP 1.6 station -> hub handlers (standalone: the hub answers as the Central System), shared by every 1.6 session. */
export const V16_HANDLERS: StationHandlers = new Map<string, StationHandler>([
  ['BootNotification', ({ payload }, { stationId, service, clock }) => {
    const p = payload as Boot16;
    const serialNumber = p.chargePointSerialNumber ?? p.chargeBoxSerialNumber;
    const answer = service.boot(stationId, '1.6', {
      vendor: p.chargePointVendor,
      model: p.chargePointModel,
      ...(serialNumber ? { serialNumber } : {}),
      ...(p.firmwareVersion ? { firmwareVersion: p.firmwareVersion } : {}),
    });
    return { status: answer.status, currentTime: isoTime(clock.nowMs()), interval: answer.intervalS };
  }],
  ['Heartbeat', (_call, { stationId, service, clock }) => {
    service.seen(stationId);
    return { currentTime: isoTime(clock.nowMs()) };
  }],
  ['StatusNotification', ({ payload }, { stationId, service, clock }) => {
    service.status(connectorStateOf16(stationId, payload as StatusNotification16, clock.nowMs()));
    return {};
  }],
  ['Authorize', ({ payload }, { stationId, service }) => {
    const { idTag } = payload as { idTag: string };
    return { idTagInfo: { status: service.authorize(stationId, idTag).status } };
  }],
  ['StartTransaction', ({ payload }, { stationId, service, clock }) => {
    const p = payload as StartTransaction16;
    const auth = service.authorize(stationId, p.idTag);
    const retry = service.retryOf(stationId, '1.6', 'StartTransaction', payload);
    if (retry?.action === 'StartTransaction') return { transactionId: retry.transactionId, idTagInfo: { status: auth.status } };
    const transactionId = service.nextLegacyTransactionId();
    service.transactionEvent(startedEventOf16(stationId, String(transactionId), p, clock.nowMs()));
    return { transactionId, idTagInfo: { status: auth.status } };
  }],
  ['StopTransaction', ({ payload }, { stationId, service, clock }) => {
    const p = payload as StopTransaction16;
    const txId = String(p.transactionId);
    if (service.retryOf(stationId, '1.6', 'StopTransaction', payload)) return p.idTag ? { idTagInfo: { status: service.authorize(stationId, p.idTag).status } } : {};
    const known = service.transactionContext(stationId, txId);
    service.transactionEvent(endedEventOf16(stationId, known?.nextSeqNo ?? 1, known?.evseId ?? 0, p, clock.nowMs()));
    return p.idTag ? { idTagInfo: { status: service.authorize(stationId, p.idTag).status } } : {};
  }],
  ['MeterValues', ({ payload }, { stationId, service, clock }) => {
    const p = payload as { connectorId: number; transactionId?: number; meterValue: MeterValue16[] };
    if (service.retryOf(stationId, '1.6', 'MeterValues', payload)) return {};
    const txId = p.transactionId !== undefined ? String(p.transactionId) : service.activeTransactionOn(stationId, p.connectorId);
    const known = txId !== undefined ? service.transactionContext(stationId, txId) : undefined;
    if (txId !== undefined && known) {
      service.transactionEvent(updatedEventOf16(stationId, txId, known.nextSeqNo, p.connectorId, p.meterValue, clock.nowMs()));
    } else {
      service.meterValuesOutsideTransaction(stationId, p.connectorId, p.meterValue.map((mv) => meterValueOf16(mv, clock.nowMs())));
    }
    return {};
  }],
  ['DataTransfer', ({ payload }, { stationId, service }) => {
    service.notification(stationId, 'DataTransfer', payload);
    return { status: 'UnknownVendorId' };
  }],

  ...STORED_NOTIFICATIONS_16.map((action): [string, StationHandler] => [
    action,
    ({ payload }, { stationId, service }) => {
      service.notification(stationId, action, payload);
      return {};
    },
  ]),
]);

/** Registers the 1.6 handlers on one peer for one station (a peer of its own, e.g. a benchmark's). */
export function registerV16Handlers(peer: HandlerTarget, ctx: Omit<HandlerContext, 'version'>): void {
  registerHandlers(peer, V16_HANDLERS, { ...ctx, version: '1.6' });
}
