import type { CallHandler } from '../ocpp/rpc-types.js';
import type { OcppVersion } from '../ocpp/versions.js';

/**
 * The upstream decision point of a station's messages. Without one (upstream mode none) the
 * standalone handlers answer; with one, each standalone handler is wrapped: the wrapper
 * decides whether to relay to the CSMS, queue for it, or answer locally (by calling `local`,
 * which records what the station said and computes the standalone answer).
 */
export interface StationUpstream {
  wrap(stationId: string, version: OcppVersion, action: string, local: CallHandler): CallHandler;
  /** Handler for actions the standalone handlers do not know (relayed verbatim), if any. */
  relayOther(stationId: string, version: OcppVersion): CallHandler | undefined;
}

/**
 * What a wrapped handler returns when its answer need not wait for the commit of what the
 * station's message wrote: the upstream (proxy mode) had the message delivered, and the local
 * copy only served that delivery (upstream/proxy/commit-overlap.ts). The session sends
 * `result` at once; every other answer waits for the commit.
 */
export class AnswerBeforeDurable {
  constructor(readonly result: unknown) {}
}
