import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from './config/schema.js';
import type { Logger } from './util/logger.js';
import { isLoopbackHost } from './util/loopback-host.js';

export interface ApiEndpoint {
  /** http[s]://host:port of the API (127.0.0.1 when it listens on every IPv4 address). */
  apiUrl: string;
  apiPort: number;
}

/**
 * Starts the API on its configured address and says in the log where it is and how to get in:
 * the dashboard, docs and metrics URLs, whether a token is needed (only the demo prints its
 * token), and a warning when it listens beyond loopback without one.
 */
export async function listenApi(api: FastifyInstance, config: SiteConfig, log: Logger): Promise<ApiEndpoint> {
  await api.listen({ host: config.api.host, port: config.api.port });
  const apiAddress = api.server.address() as { port: number; address: string; family: string };
  const apiPort = apiAddress.port;
  const apiBound = apiAddress.family === 'IPv6' ? `[${apiAddress.address}]:${apiPort}` : `${apiAddress.address}:${apiPort}`;
  const apiHost = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
  const apiUrl = `${config.api.tls ? 'https' : 'http'}://${apiHost}:${apiPort}`;
  log.info({ url: `${apiUrl}/api/stations`, bound: apiBound }, 'API listening');
  // Only the demo (simulated fleet) prints its token; a real site's token stays out of the log.
  const printToken = config.api.token !== undefined && config.simulation?.enabled === true;
  log.info(
    { dashboard: `${apiUrl}/`, docs: `${apiUrl}/docs`, metrics: `${apiUrl}/metrics`, ...(printToken ? { apiToken: config.api.token } : {}) },
    config.api.token
      ? `open the dashboard; writes, id tokens and the live stream need Authorization: Bearer <${printToken ? 'apiToken' : 'api.token'}>`
      : 'open the dashboard (no api.token set: the API is open to this machine only)',
  );
  if (config.api.token === undefined && !isLoopbackHost(config.api.host)) {
    log.warn({ host: config.api.host }, 'the API listens beyond loopback without a token (api.allowNoTokenBeyondLoopback): anyone who reaches it may write');
  }
  return { apiUrl, apiPort };
}
