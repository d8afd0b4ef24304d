import { mappedStations, transactionByUpstreamId, txKey, type UpstreamVersion } from '../hub-mode/index.js';
import type { DownstreamEvse, ProfileScope } from '../csms-profiles-scope.js';
import type { HubStateStore } from './hub-state-store.js';

export interface HubProfileScopeDeps {
  version: UpstreamVersion;
  identity: string;
  states: HubStateStore;
  send: (action: string, payload: unknown) => Promise<unknown>;
}

/**
 * Hub mode's answer to "what does the CSMS mean" for charging profiles: the site is one 2.x
 * station whose EVSE ids map to downstream (station, EVSE) through the hub's mapping; EVSE 0 is
 * every mapped station as a whole. Transaction ids: the upstream id of an open transaction
 * (hub-made for 1.6 chargers) stands for the hub's own id of it, and back.
 */
export function hubProfileScope(deps: HubProfileScopeDeps): ProfileScope {
  const mapping = () => deps.states.state.mapping.entries;
  return {
    version: deps.version,
    name: deps.identity,
    siteWide: true,
    stationIds: () => mappedStations(deps.states.state.mapping),
    toDownstream(evseId: number): DownstreamEvse[] {
      if (evseId === 0) return mappedStations(deps.states.state.mapping).map((stationId) => ({ stationId, evseId: 0 }));
      const out: DownstreamEvse[] = [];
      for (const e of mapping()) {
        if (e.upstreamEvseId !== evseId || out.some((o) => o.stationId === e.stationId && o.evseId === e.evseId)) continue;
        out.push({ stationId: e.stationId, evseId: e.evseId });
      }
      return out;
    },
    toUpstream(target: DownstreamEvse): number | undefined {
      if (target.evseId === 0) return mapping().some((e) => e.stationId === target.stationId) ? 0 : undefined;
      return mapping().find((e) => e.stationId === target.stationId && e.evseId === target.evseId)?.upstreamEvseId;
    },
    localTransactionId: (_target, wireId) => transactionByUpstreamId(deps.states.state, wireId)?.chargerTransactionId ?? wireId,
    wireTransactionId: (target, localId) => deps.states.state.transactions[txKey(target.stationId, localId)]?.transactionId ?? localId,
    send: deps.send,
  };
}
