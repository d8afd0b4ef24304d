import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { StationService } from '../../evse/station-service.js';
import type { StationUpstream } from '../../evse/station-upstream.js';
import type { UpstreamConfig } from '../../config/upstream-schema.js';
import { UpstreamLink, linkSettingsOf, type UpstreamTlsMaterial } from '../upstream-link.js';
import type { UpstreamTraffic } from '../upstream-traffic.js';
import type { Upstream, UpstreamView } from '../upstream.js';
import { ReEnroll } from '../reenroll.js';
import { OutboxBound, type OutboxPressureView } from '../outbox-bound.js';
import { UpstreamSeqNos } from '../upstream-seq-nos.js';
import { freeBytesNear } from '../../store/disk-space.js';
import { PROXY_CODEC } from './proxy-outbox.js';
import { ProxyStation } from './proxy-station.js';
import { RebootRule } from './reboot-rule.js';
import { TxIdMap } from './tx-id-map.js';
import { Restatements } from './restatements.js';
import type { CsmsProfiles } from '../csms-profiles.js';

export interface ProxyUpstreamDeps {
  config: UpstreamConfig & { url: string };
  /** Ids of the configured stations (links are opened at start for those with a queued outbox). */
  stationIds: readonly string[];
  store: Store;
  service: StationService;
  registry: StationRegistry;
  traffic: UpstreamTraffic;
  tls?: UpstreamTlsMaterial;
  clock: Clock;
  log: Logger;
  random?: () => number;
  /** Answers the CSMS's charging-profile calls (never relayed to a station). */
  csmsProfiles: CsmsProfiles;
}

/**
 * Proxy mode: one upstream link per station, as the station (its identity, OCPP version and
 * upstream password). A station's link opens when it first connects (or at start when its
 * outbox holds messages from before a restart) and stays open while the station is away, so
 * the outbox drains and the CSMS's calls get answers.
 */
export class ProxyUpstream implements Upstream {
  readonly mode = 'proxy';
  readonly stationHooks: StationUpstream;
  private readonly stations = new Map<string, ProxyStation>();
  private readonly txIds: TxIdMap;
  private readonly restatements: Restatements;
  private readonly reenroll: ReEnroll;
  private readonly rebootRule: RebootRule;
  private readonly bound: OutboxBound;
  private readonly seqNos: UpstreamSeqNos;
  private stopped = false;

  constructor(private readonly deps: ProxyUpstreamDeps) {
    this.txIds = new TxIdMap({ state: deps.store.stationState });
    this.restatements = new Restatements({ state: deps.store.stationState });
    this.reenroll = new ReEnroll({ state: deps.store.stationState, log: deps.log });
    this.rebootRule = new RebootRule({ store: deps.store, service: deps.service, clock: deps.clock, log: deps.log, graceMs: deps.config.offline.rebootGraceS * 1000 });
    this.seqNos = new UpstreamSeqNos({ state: deps.store.stationState });
    this.bound = new OutboxBound({
      outbox: deps.store.outbox,
      maxBytes: deps.config.outboxMaxMB * 1e6,
      maxRows: deps.config.outboxMaxRows,
      freeBytes: () => freeBytesNear(deps.store.db),
      codec: PROXY_CODEC,
      busySeqs: () => new Set([...this.stations.values()].flatMap((s) => s.pump.busySeqs)),
      absorbed: (link, absorbed) => this.seqNos.absorb(link, absorbed),
      log: deps.log,
    });
    this.stationHooks = {
      wrap: (stationId, version, action, local) => (ctx) => this.station(stationId, version).handle(action, local, ctx),
      relayOther: (stationId, version) => (ctx) => this.station(stationId, version).relayOther(ctx),
    };
  }

  start(): void {
    this.rebootRule.markPossibleLoss();
    for (const id of this.deps.stationIds) {
      if (this.deps.store.outbox.count(id) === 0) continue;
      const version = this.deps.store.stations.get(id)?.version;
      if (version) this.station(id, version);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.rebootRule.stop();
    await Promise.all([...this.stations.values()].map((s) => s.stop()));
  }

  /** The station's proxy (created, and its link started, on first use). */
  station(stationId: string, version: OcppVersion): ProxyStation {
    const existing = this.stations.get(stationId);
    if (existing && existing.link.version === version) return existing;
    if (existing) {
      this.deps.log.info({ stationId, from: existing.link.version, to: version }, 'station changed its OCPP version: new upstream link');
      void existing.stop();
    }
    const { config } = this.deps;
    const link = new UpstreamLink({
      name: stationId,
      url: config.url,
      identity: stationId,
      version,
      clock: this.deps.clock,
      log: this.deps.log,
      traffic: this.deps.traffic,
      ...(this.passwordOf(stationId) !== undefined ? { password: this.passwordOf(stationId) } : {}),
      ...(this.deps.tls ? { tls: this.deps.tls } : {}),
      ...linkSettingsOf(config),
      ...(this.deps.random ? { random: this.deps.random } : {}),
    });
    const proxy = new ProxyStation({
      stationId,
      version,
      link,
      store: this.deps.store,
      registry: this.deps.registry,
      txIds: this.txIds,
      restatements: this.restatements,
      reenroll: this.reenroll,
      rebootRule: this.rebootRule,
      clock: this.deps.clock,
      log: this.deps.log,
      unknownIdTokensOffline: config.offline.unknownIdTokens,
      retryDelayMs: config.reconnect.initialDelayS * 1000,
      appended: () => this.bound.appended(),
      seqNos: this.seqNos,
      service: this.deps.service,
      csmsProfiles: this.deps.csmsProfiles,
    });
    this.stations.set(stationId, proxy);
    if (!this.stopped) link.start();
    return proxy;
  }

  view(): UpstreamView {
    for (const s of this.stations.values()) s.link.flushTraffic();
    const links = [...this.stations.values()].map((s) => ({ ...s.link.status(), outboxDepth: s.pump.depth }));
    return {
      mode: 'proxy',
      links,
      outboxDepth: this.deps.store.outbox.count(),
      outbox: this.bound.view(),
      traffic: this.deps.traffic.snapshot(),
      budget: this.deps.traffic.budget(),
    };
  }

  /** The outbox's size against its bound (measured now). */
  outboxPressure(): OutboxPressureView {
    return this.bound.view();
  }

  private passwordOf(stationId: string): string | undefined {
    return this.deps.config.stations.find((s) => s.id === stationId)?.password;
  }
}
