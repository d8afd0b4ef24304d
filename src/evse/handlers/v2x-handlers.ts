import type { HandlerContext, HandlerTarget } from './handler-context.js';
import { STORED_NOTIFICATIONS_2X } from './handler-context.js';
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

/** OCPP 2.0.1 / 2.1 station -> hub handlers (standalone: the hub answers as the CSMS). */
export function registerV2xHandlers(peer: HandlerTarget, ctx: HandlerContext, version: OcppVersion): void {
  const { stationId, service, clock } = ctx;
  const now = () => clock.nowMs();

  peer.handle('BootNotification', ({ payload }) => {
    const { chargingStation: cs } = payload as Boot2x;
    const answer = service.boot(stationId, version, {
      vendor: cs.vendorName,
      model: cs.model,
      ...(cs.serialNumber ? { serialNumber: cs.serialNumber } : {}),
      ...(cs.firmwareVersion ? { firmwareVersion: cs.firmwareVersion } : {}),
    });
    return { status: answer.status, currentTime: isoTime(now()), interval: answer.intervalS };
  });

  peer.handle('Heartbeat', () => {
    service.seen(stationId);
    return { currentTime: isoTime(now()) };
  });

  peer.handle('StatusNotification', ({ payload }) => {
    service.status(connectorStateOf2x(stationId, payload as StatusNotification2x, now()));
    return {};
  });

  peer.handle('Authorize', ({ payload }) => {
    const { idToken } = payload as { idToken: { idToken: string; type: string } };
    return { idTokenInfo: { status: service.authorize(stationId, idToken.idToken).status } };
  });

  peer.handle('TransactionEvent', ({ payload }) => {
    const p = payload as TransactionEvent2x;
    const known = service.transactionContext(stationId, p.transactionInfo.transactionId);
    service.transactionEvent(transactionEventOf2x(stationId, p, now(), known?.evseId));
    // 2.x: idTokenInfo is expected when the event carries an idToken.
    return p.idToken ? { idTokenInfo: { status: service.authorize(stationId, p.idToken.idToken).status } } : {};
  });

  peer.handle('MeterValues', ({ payload }) => {
    const p = payload as { evseId: number; meterValue: MeterValue2x[] };
    service.meterValuesOutsideTransaction(stationId, p.evseId, p.meterValue.map((mv) => meterValueOf2x(mv, now())));
    return {};
  });

  peer.handle('DataTransfer', ({ payload }) => {
    service.notification(stationId, 'DataTransfer', payload);
    return { status: 'UnknownVendorId' };
  });

  // ISO 15118 / certificate calls: the hub has no CA of its own (upstream modes pass them to the CSMS).
  const noCa = { reasonCode: 'NoCA', additionalInfo: 'the hub signs and checks no certificates itself' };
  const certificateAnswers: Record<string, object> = {
    SignCertificate: { status: 'Rejected', statusInfo: noCa },
    Get15118EVCertificate: { status: 'Failed', statusInfo: noCa, exiResponse: '' },
    GetCertificateStatus: { status: 'Failed', statusInfo: noCa },
  };
  for (const [action, answer] of Object.entries(certificateAnswers)) {
    peer.handle(action, ({ payload }) => {
      service.notification(stationId, action, payload);
      return answer;
    });
  }

  for (const action of STORED_NOTIFICATIONS_2X) {
    peer.handle(action, ({ payload }) => {
      service.notification(stationId, action, payload);
      return {};
    });
  }
}
