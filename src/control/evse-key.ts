/** An EVSE's key, `<stationId>/<evseId>`, the id the energy code and the API use. */
export function evseKeyOf(stationId: string, evseId: number): string {
  return `${stationId}/${evseId}`;
}

/** The station id and EVSE id of a key; undefined when the key is not `<stationId>/<evseId>`. */
export function parseEvseKey(key: string): { stationId: string; evseId: number } | undefined {
  const slash = key.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const evseId = Number(key.slice(slash + 1));
  if (!Number.isInteger(evseId) || evseId < 1) return undefined;
  return { stationId: key.slice(0, slash), evseId };
}
