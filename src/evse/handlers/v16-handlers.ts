import type { HandlerContext, HandlerTarget } from './handler-context.js';
import { STORED_NOTIFICATIONS_16 } from './handler-context.js';
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

/** OCPP 1.6 station -> hub handlers (standalone: the hub answers as the Central System). */
export function registerV16Handlers(peer: HandlerTarget, ctx: HandlerContext): void {
  const { stationId, service, clock } = ctx;
  const now = () => clock.nowMs();

  peer.handle('BootNotification', ({ payload }) => {
    const p = payload as Boot16;
    const serialNumber = p.chargePointSerialNumber ?? p.chargeBoxSerialNumber;
    const answer = service.boot(stationId, '1.6', {
      vendor: p.chargePointVendor,
      model: p.chargePointModel,
      ...(serialNumber ? { serialNumber } : {}),
      ...(p.firmwareVersion ? { firmwareVersion: p.firmwareVersion } : {}),
    });
    return { status: answer.status, currentTime: isoTime(now()), interval: answer.intervalS };
  });

  peer.handle('Heartbeat', () => {
    service.seen(stationId);
    return { currentTime: isoTime(now()) };
  });

  peer.handle('StatusNotification', ({ payload }) => {
    service.status(connectorStateOf16(stationId, payload as StatusNotification16, now()));
    return {};
  });

  peer.handle('Authorize', ({ payload }) => {
    const { idTag } = payload as { idTag: string };
    return { idTagInfo: { status: service.authorize(stationId, idTag).status } };
  });

  peer.handle('StartTransaction', ({ payload }) => {
    const p = payload as StartTransaction16;
    const auth = service.authorize(stationId, p.idTag);
    const retry = service.retryOf(stationId, '1.6', 'StartTransaction', payload);
    if (retry?.action === 'StartTransaction') return { transactionId: retry.transactionId, idTagInfo: { status: auth.status } };
    const transactionId = service.nextLegacyTransactionId();
    service.transactionEvent(startedEventOf16(stationId, String(transactionId), p, now()));
    return { transactionId, idTagInfo: { status: auth.status } };
  });

  peer.handle('StopTransaction', ({ payload }) => {
    const p = payload as StopTransaction16;
    const txId = String(p.transactionId);
    if (service.retryOf(stationId, '1.6', 'StopTransaction', payload)) return p.idTag ? { idTagInfo: { status: service.authorize(stationId, p.idTag).status } } : {};
    const known = service.transactionContext(stationId, txId);
    service.transactionEvent(endedEventOf16(stationId, known?.nextSeqNo ?? 1, known?.evseId ?? 0, p, now()));
    return p.idTag ? { idTagInfo: { status: service.authorize(stationId, p.idTag).status } } : {};
  });

  peer.handle('MeterValues', ({ payload }) => {
    const p = payload as { connectorId: number; transactionId?: number; meterValue: MeterValue16[] };
    if (service.retryOf(stationId, '1.6', 'MeterValues', payload)) return {};
    const txId = p.transactionId !== undefined ? String(p.transactionId) : service.activeTransactionOn(stationId, p.connectorId);
    const known = txId !== undefined ? service.transactionContext(stationId, txId) : undefined;
    if (txId !== undefined && known) {
      service.transactionEvent(updatedEventOf16(stationId, txId, known.nextSeqNo, p.connectorId, p.meterValue, now()));
    } else {
      service.meterValuesOutsideTransaction(stationId, p.connectorId, p.meterValue.map((mv) => meterValueOf16(mv, now())));
    }
    return {};
  });

  peer.handle('DataTransfer', ({ payload }) => {
    service.notification(stationId, 'DataTransfer', payload);
    return { status: 'UnknownVendorId' };
  });

  for (const action of STORED_NOTIFICATIONS_16) {
    peer.handle(action, ({ payload }) => {
      service.notification(stationId, action, payload);
      return {};
    });
  }
}
