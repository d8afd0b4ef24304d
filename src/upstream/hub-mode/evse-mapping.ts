/**
 * Hub mode presents the whole site upstream as ONE charging station. Every downstream connector
 * (station id, EVSE id, connector id, in the hub's 2.x terms: a 1.6 connector N is EVSE N
 * connector 1) gets an upstream (evseId, connectorId) of that one station.
 *
 * The mapping is append-only: an entry, once made, is never renumbered or reused, so the CSMS
 * sees the same EVSE ids across restarts (the caller persists it; see mapping-repo.ts).
 */

/** A downstream connector, in the hub's 2.x terms (EVSE >= 1, connector >= 1). */
export interface DownstreamConnectorKey {
  stationId: string;
  evseId: number;
  connectorId: number;
}

export interface EvseMappingEntry extends DownstreamConnectorKey {
  upstreamEvseId: number;
  upstreamConnectorId: number;
}

export interface EvseMapping {
  /** In allocation order. */
  readonly entries: readonly EvseMappingEntry[];
}

export interface AssignResult {
  mapping: EvseMapping;
  /** Entries made by this call (what the caller must persist). */
  added: EvseMappingEntry[];
  /** Keys that cannot be mapped (EVSE or connector 0, not an integer >= 1, empty station id). */
  rejected: DownstreamConnectorKey[];
}

export const EMPTY_MAPPING: EvseMapping = { entries: [] };

function isMappable(k: DownstreamConnectorKey): boolean {
  return k.stationId.length > 0 && Number.isInteger(k.evseId) && k.evseId >= 1 && Number.isInteger(k.connectorId) && k.connectorId >= 1;
}

function sameKey(a: DownstreamConnectorKey, b: DownstreamConnectorKey): boolean {
  return a.stationId === b.stationId && a.evseId === b.evseId && a.connectorId === b.connectorId;
}

/**
 * Maps the keys not mapped yet, in the order given (pass the site config's EVSE order to get
 * upstream EVSE 1, 2, ... in that order). Rules:
 * - a new downstream EVSE (station, evseId) gets the next upstream EVSE id (highest ever + 1);
 * - a new connector of an EVSE already mapped joins that upstream EVSE with the next free
 *   upstream connector id;
 * - existing entries never change; duplicates in `keys` are ignored.
 */
export function assign(mapping: EvseMapping, keys: readonly DownstreamConnectorKey[]): AssignResult {
  const entries = [...mapping.entries];
  const added: EvseMappingEntry[] = [];
  const rejected: DownstreamConnectorKey[] = [];
  let maxEvse = entries.reduce((m, e) => Math.max(m, e.upstreamEvseId), 0);
  for (const key of keys) {
    if (!isMappable(key)) {
      rejected.push(key);
      continue;
    }
    if (entries.some((e) => sameKey(e, key))) continue;
    const sibling = entries.find((e) => e.stationId === key.stationId && e.evseId === key.evseId);
    let upstreamEvseId: number;
    let upstreamConnectorId: number;
    if (sibling) {
      upstreamEvseId = sibling.upstreamEvseId;
      upstreamConnectorId = 1 + entries.filter((e) => e.upstreamEvseId === upstreamEvseId).reduce((m, e) => Math.max(m, e.upstreamConnectorId), 0);
    } else {
      maxEvse += 1;
      upstreamEvseId = maxEvse;
      upstreamConnectorId = 1;
    }
    const entry: EvseMappingEntry = { stationId: key.stationId, evseId: key.evseId, connectorId: key.connectorId, upstreamEvseId, upstreamConnectorId };
    entries.push(entry);
    added.push(entry);
  }
  return { mapping: added.length === 0 ? mapping : { entries }, added, rejected };
}

/** The upstream entry of a downstream connector. */
export function toUpstream(mapping: EvseMapping, key: DownstreamConnectorKey): EvseMappingEntry | undefined {
  return mapping.entries.find((e) => sameKey(e, key));
}

/** The entry of an upstream (evseId, connectorId); without connectorId, the EVSE's first connector. */
export function toDownstream(mapping: EvseMapping, upstreamEvseId: number, upstreamConnectorId?: number): EvseMappingEntry | undefined {
  const ofEvse = mapping.entries.filter((e) => e.upstreamEvseId === upstreamEvseId);
  if (upstreamConnectorId === undefined) return ofEvse.sort((a, b) => a.upstreamConnectorId - b.upstreamConnectorId)[0];
  return ofEvse.find((e) => e.upstreamConnectorId === upstreamConnectorId);
}

/** All entries of one downstream station, by upstream EVSE then connector id. */
export function entriesOfStation(mapping: EvseMapping, stationId: string): EvseMappingEntry[] {
  return mapping.entries
    .filter((e) => e.stationId === stationId)
    .sort((a, b) => a.upstreamEvseId - b.upstreamEvseId || a.upstreamConnectorId - b.upstreamConnectorId);
}

/** Upstream EVSE ids of one downstream station, ascending, each once. */
export function upstreamEvsesOfStation(mapping: EvseMapping, stationId: string): number[] {
  return [...new Set(entriesOfStation(mapping, stationId).map((e) => e.upstreamEvseId))];
}

/** Every mapped upstream EVSE id, ascending. */
export function upstreamEvseIds(mapping: EvseMapping): number[] {
  return [...new Set(mapping.entries.map((e) => e.upstreamEvseId))].sort((a, b) => a - b);
}

/** Downstream station ids in order of their first mapped upstream EVSE. */
export function mappedStations(mapping: EvseMapping): string[] {
  const sorted = [...mapping.entries].sort((a, b) => a.upstreamEvseId - b.upstreamEvseId);
  return [...new Set(sorted.map((e) => e.stationId))];
}
