import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { SiteConfig } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { StationRegistry } from '../evse/station-registry.js';
import type { StationService } from '../evse/station-service.js';
import type { UpstreamTlsMaterial } from './upstream-link.js';
import { UpstreamTraffic } from './upstream-traffic.js';
import type { Upstream } from './upstream.js';
import { ProxyUpstream } from './proxy/proxy-upstream.js';
import type { CsmsProfiles } from './csms-profiles.js';
import { HubUpstream } from './hub/hub-upstream.js';

export interface CreateUpstreamDeps {
  config: SiteConfig;
  /** Directory of the config file: TLS paths resolve against it. */
  baseDir: string;
  store: Store;
  service: StationService;
  registry: StationRegistry;
  clock: Clock;
  log: Logger;
  /** Answers the CSMS's charging-profile calls in every mode (the hub is the only writer of profiles). */
  csmsProfiles: CsmsProfiles;
}

/** The TLS material of upstream.tls, read from disk. */
export function upstreamTls(config: SiteConfig, baseDir: string): UpstreamTlsMaterial | undefined {
  const tls = config.upstream.tls;
  if (!tls) return undefined;
  const read = (f: string | undefined) => (f === undefined ? undefined : readFileSync(resolve(baseDir, f)));
  const cert = read(tls.certFile);
  const key = read(tls.keyFile);
  const ca = read(tls.caFile);
  return { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
}

/** Builds the configured upstream mode; undefined for `none` (standalone). */
export function createUpstream(deps: CreateUpstreamDeps): Upstream | undefined {
  const { config } = deps;
  const upstream = config.upstream;
  if (upstream.mode === 'none' || upstream.url === undefined) return undefined;
  const log = deps.log.child({ part: 'upstream' });
  const traffic = new UpstreamTraffic({
    clock: deps.clock,
    log,
    ...(upstream.monthlyBudgetMB !== undefined ? { monthlyBudgetBytes: upstream.monthlyBudgetMB * 1_000_000 } : {}),
  });
  const tls = upstreamTls(config, deps.baseDir);
  // What both modes take from the hub.
  const shared = { store: deps.store, service: deps.service, registry: deps.registry, traffic, ...(tls ? { tls } : {}), clock: deps.clock, log, csmsProfiles: deps.csmsProfiles };
  if (upstream.mode === 'proxy') {
    return new ProxyUpstream({ ...shared, config: { ...upstream, url: upstream.url }, stationIds: config.stations.map((s) => s.id) });
  }
  if (upstream.identity === undefined) {
    log.error('upstream mode hub needs upstream.identity: running standalone');
    return undefined;
  }
  return new HubUpstream({
    config: { ...upstream, url: upstream.url, identity: upstream.identity },
    stations: config.stations,
    voltageV: config.site.voltageV,
    dataDir: resolve(deps.baseDir, config.data.dir),
    ...shared,
  });
}
