/**
 * What a CSMS link addresses when it talks about charging profiles: in proxy mode one station
 * in its own OCPP version (EVSE ids are the station's); in hub mode the whole site as one 2.x
 * station whose EVSE ids map to (downstream station, EVSE) through the hub's mapping table.
 */
import type { OcppVersion } from '../ocpp/versions.js';

/** A downstream EVSE; evseId 0 is the station as a whole. */
export interface DownstreamEvse {
  stationId: string;
  evseId: number;
}

export interface ProfileScope {
  /** OCPP version of the CSMS link. */
  version: OcppVersion;
  /** For logs: the station id (proxy) or the hub's upstream identity (hub). */
  name: string;
  /**
   * True when the link's evse 0 is the whole site (hub mode): its station-wide profiles cap the
   * sum of every covered station's EVSEs once, not each station's. Default: each station alone.
   */
  siteWide?: boolean;
  /** Every downstream station the link covers; profile ids are unique across them. */
  stationIds(): readonly string[];
  /**
   * The downstream EVSEs a link EVSE id stands for: [] when unknown. EVSE 0 stands for evse 0 of
   * every covered station.
   */
  toDownstream(evseId: number): DownstreamEvse[];
  /** The link's EVSE id of a downstream EVSE (evse 0 is 0); undefined when not mapped. */
  toUpstream(target: DownstreamEvse): number | undefined;
  /** The hub's transaction id of one the CSMS names (undefined: not known). Default: the same. */
  localTransactionId?(target: DownstreamEvse, wireId: string): string | undefined;
  /** The transaction id the CSMS knows for a hub transaction id. Default: the same. */
  wireTransactionId?(target: DownstreamEvse, localId: string): string | undefined;
  /** Sends a CALL to the CSMS on this link (ReportChargingProfiles). */
  send(action: string, payload: unknown): Promise<unknown>;
}

export interface ProxyScopeDeps {
  stationId: string;
  version: OcppVersion;
  /** Whether the hub manages this EVSE (>= 1) of the station. */
  hasEvse: (stationId: string, evseId: number) => boolean;
  /** 1.6: the CSMS's transaction id -> the hub's, and back (proxy mode's TxIdMap). */
  hubTransactionIdOf?: (stationId: string, csmsId: number) => number | undefined;
  csmsTransactionIdOf?: (stationId: string, hubId: number) => number | undefined;
  send: (action: string, payload: unknown) => Promise<unknown>;
}

/**
 * Proxy mode: the link is the station itself. For 1.6 the station's transactions carry hub ids
 * while the CSMS uses its own; the maps translate (an id the map does not know is taken as is,
 * e.g. a transaction started before the CSMS gave its id).
 */
export function proxyScope(deps: ProxyScopeDeps): ProfileScope {
  const { stationId, version } = deps;
  const mapped = (map: ((s: string, id: number) => number | undefined) | undefined, id: string): string => {
    const n = Number(id);
    const other = map && Number.isInteger(n) ? map(stationId, n) : undefined;
    return other === undefined ? id : String(other);
  };
  return {
    version,
    name: stationId,
    stationIds: () => [stationId],
    toDownstream: (evseId) => (evseId === 0 || deps.hasEvse(stationId, evseId) ? [{ stationId, evseId }] : []),
    toUpstream: (t) => (t.stationId === stationId ? t.evseId : undefined),
    localTransactionId: (_t, wireId) => (version === '1.6' ? mapped(deps.hubTransactionIdOf, wireId) : wireId),
    wireTransactionId: (_t, localId) => (version === '1.6' ? mapped(deps.csmsTransactionIdOf, localId) : localId),
    send: deps.send,
  };
}
