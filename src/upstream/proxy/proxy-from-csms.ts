import type { CallContext } from '../../ocpp/rpc-types.js';
import { GenericError, RpcClosedError, RpcError } from '../../ocpp/errors.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { UpstreamLink } from '../upstream-link.js';
import { answerForOfflineStation } from '../offline-station-answer.js';
import type { ReEnroll } from '../reenroll.js';
import { fields, numberField } from '../wire-fields.js';
import type { TxIdMap } from './tx-id-map.js';
import { isCsmsProfileAction, type CsmsProfiles } from '../csms-profiles.js';
import { proxyScope, type ProfileScope } from '../csms-profiles-scope.js';

export interface ProxyFromCsmsDeps {
  stationId: string;
  version: OcppVersion;
  link: UpstreamLink;
  registry: StationRegistry;
  txIds: TxIdMap;
  reenroll: ReEnroll;
  csmsProfiles: CsmsProfiles;
}

/**
 * Proxy mode, CSMS -> station, for one station: charging profiles are answered by the hub (it
 * is the only writer of profiles on its EVSEs), everything else is routed to the station (1.6
 * transaction ids translated), or answered at once while the station is away.
 */
export class ProxyFromCsms {
  private readonly profileScope: ProfileScope;

  constructor(private readonly deps: ProxyFromCsmsDeps) {
    const { stationId, version, txIds } = deps;
    this.profileScope = proxyScope({
      stationId,
      version,
      hasEvse: (id, evseId) => deps.csmsProfiles.hasEvse(id, evseId),
      hubTransactionIdOf: (id, csmsId) => txIds.hubIdOf(id, csmsId),
      csmsTransactionIdOf: (id, hubId) => txIds.csmsIdOf(id, hubId),
      send: (action, payload) => deps.link.call(action, payload),
    });
    deps.link.handleAny((ctx) => this.handle(ctx));
  }

  private async handle(ctx: CallContext): Promise<unknown> {
    const { stationId, version } = this.deps;
    // Charging profiles are the hub's own, whether the station is connected or not.
    if (isCsmsProfileAction(ctx.action)) return this.deps.csmsProfiles.handle(this.profileScope, ctx.action, ctx.payload);
    const session = this.deps.registry.get(stationId);
    if (!session?.isOpen) return answerForOfflineStation(version, ctx.action, stationId);
    const request = version === '1.6' ? this.toStationIds(ctx.action, ctx.payload) : ctx.payload;
    let result: unknown;
    try {
      result = await session.peer.call(ctx.action, request, { signal: ctx.signal });
    } catch (err) {
      if (err instanceof RpcError) throw err;
      if (err instanceof RpcClosedError) return answerForOfflineStation(version, ctx.action, stationId);
      throw new GenericError(`station ${stationId} did not answer`);
    }
    this.deps.reenroll.record(stationId, version, ctx.action, request, result);
    return result;
  }

  /** 1.6: the CSMS names transactions by its ids, the station by the hub's. */
  private toStationIds(action: string, payload: unknown): unknown {
    const { stationId, txIds } = this.deps;
    if (action === 'RemoteStopTransaction') {
      const csmsId = numberField(payload, 'transactionId');
      const hubId = csmsId === undefined ? undefined : txIds.hubIdOf(stationId, csmsId);
      return hubId === undefined ? payload : { ...fields(payload), transactionId: hubId };
    }
    return payload;
  }
}
