import type { CallHandler } from '../ocpp/rpc-types.js';
import type { DerService } from './der-service.js';

/** Anything that takes handlers for CALLs from the CSMS: an UpstreamLink or an RpcPeer. */
export interface DerHandlerTarget {
  handle(action: string, handler: CallHandler): void;
}

export interface DerHandlerDeps {
  service: DerService;
}

/**
 * Registers SetDERControl, GetDERControl and ClearDERControl on a 2.1 link to the CSMS. A payload
 * that breaks the official schema is answered with the schema's CALLERROR; ReportDERControl
 * follows an Accepted Get through the service's `send`.
 */
export function registerDerHandlers(target: DerHandlerTarget, deps: DerHandlerDeps): void {
  const { service } = deps;
  target.handle('SetDERControl', ({ payload }) => service.handleSet(payload));
  target.handle('GetDERControl', ({ payload }) => service.handleGet(payload));
  target.handle('ClearDERControl', ({ payload }) => service.handleClear(payload));
}
