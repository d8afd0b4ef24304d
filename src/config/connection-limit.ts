/** The connection limit when the site config sets none: room for every declared station and then some. */
export const MIN_DEFAULT_MAX_CONNECTIONS = 1000;

/**
 * `server.limits.maxConnections` when the config leaves it out: 1,000, or for a site that
 * declares more stations (in the config or by commissioning), those plus a quarter more (at
 * least 100): room for stations admitted without being declared (commissioning windows,
 * `admitUnknownStations`) and for connections a reconnect storm opens while the hub still holds
 * the stations' old ones (a new login closes its station's old connection). A site with 5,000
 * declared stations gets 6,250. Pure.
 */
export function defaultMaxConnections(declaredStations: number): number {
  return Math.max(MIN_DEFAULT_MAX_CONNECTIONS, declaredStations + Math.max(100, Math.ceil(declaredStations / 4)));
}

/** The OCPP port's connection limit of a site config: its own, else the default for its declared stations. */
export function maxConnectionsOf(config: { server: { limits: { maxConnections?: number | undefined } }; stations: readonly unknown[] }): number {
  return config.server.limits.maxConnections ?? defaultMaxConnections(config.stations.length);
}
