import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { StationConfig } from '../../config/schema.js';
import type { UpstreamConfig } from '../../config/upstream-schema.js';
import type { Store } from '../../store/store.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { StationService } from '../../evse/station-service.js';
import type { StationUpstream } from '../../evse/station-upstream.js';
import { UpstreamLink, linkSettingsOf, type UpstreamTlsMaterial } from '../upstream-link.js';
import type { UpstreamTraffic } from '../upstream-traffic.js';
import type { Upstream, UpstreamView } from '../upstream.js';
import { OutboxPump } from '../outbox-pump.js';
import { OutboxBound, type OutboxPressureView } from '../outbox-bound.js';
import { PLAIN_CODEC } from '../outbox-compaction.js';
import { UpstreamSeqNos } from '../upstream-seq-nos.js';
import { freeBytesNear } from '../../store/disk-space.js';
import { ReEnroll } from '../reenroll.js';
import { RebootRule } from '../proxy/reboot-rule.js';
import { cacheCsmsAnswer, idTokenOf } from '../offline-authorizer.js';
import { DEFAULT_HUB_MODE_CONFIG, HUB_VENDOR_NAME, flushDueBatches, type DownstreamConnectorKey, type EvseFacts, type EvseMappingEntry, type HubModeConfig } from '../hub-mode/index.js';
import { HubStateStore } from './hub-state-store.js';
import { HubJournal } from './hub-journal.js';
import { DeliveryWaiters } from './delivery-waiters.js';
import { SiteBoot } from './site-boot.js';
import { HubChargerSide } from './hub-charger-side.js';
import { HubCsmsSide } from './hub-csms-side.js';
import { hubProfileScope } from './hub-profile-scope.js';
import { LimitReporter } from './limit-reporter.js';
import { HubBlocks } from './hub-blocks.js';
import { HttpFirmwareDepot } from './firmware-depot.js';
import type { CsmsProfiles } from '../csms-profiles.js';

export interface HubUpstreamDeps {
  config: UpstreamConfig & { url: string; identity: string };
  /** The configured stations: their EVSEs are mapped upstream in this order at start. */
  stations: readonly StationConfig[];
  /** Nominal phase voltage, V (EVSE power limits in the device model). */
  voltageV: number;
  /** Where the hub keeps its files (firmware images). */
  dataDir: string;
  store: Store;
  service: StationService;
  registry: StationRegistry;
  traffic: UpstreamTraffic;
  tls?: UpstreamTlsMaterial;
  /** Answers the CSMS's charging-profile calls (mode-neutral). */
  csmsProfiles: CsmsProfiles;
  clock: Clock;
  log: Logger;
  random?: () => number;
}

/** Heartbeat interval used when the CSMS leaves it to the hub, s. */
const DEFAULT_HEARTBEAT_S = 300;

/**
 * Hub mode: the site is ONE charging station at the CSMS (OCPP 2.0.1 or 2.1, identity
 * upstream.identity) over ONE link. Downstream chargers' EVSEs are mapped to its EVSEs
 * (persistently), their messages translated and queued in the durable outbox before they are
 * answered, and the CSMS's calls translated to them. The link is opened at start and stays up.
 */
export class HubUpstream implements Upstream {
  readonly mode = 'hub';
  readonly stationHooks: StationUpstream;
  readonly link: UpstreamLink;
  readonly gate: SiteBoot;
  readonly pump: OutboxPump;
  readonly states: HubStateStore;
  private readonly hubConfig: HubModeConfig;
  private readonly journal: HubJournal;
  private readonly waiters: DeliveryWaiters;
  private readonly bound: OutboxBound;
  private readonly rebootRule: RebootRule;
  private readonly chargers: HubChargerSide;
  /** K12/K13: the hub's own limits reported to the CSMS; hand `limitReporter.observe` to the controller. */
  readonly limitReporter: LimitReporter;
  readonly blocks: HubBlocks;
  readonly firmwareDepot: HttpFirmwareDepot;
  private batchTimer: TimerHandle | undefined;
  private batchAtMs: number | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: HubUpstreamDeps) {
    const { config, store, clock } = deps;
    const identity = config.identity;
    this.log = deps.log.child({ upstreamMode: 'hub' });
    this.hubConfig = {
      ...DEFAULT_HUB_MODE_CONFIG,
      upstreamVersion: config.version,
      batchWindowS: config.batchWindowS,
      ...(config.idTokenTypes ? { idTokenRules: config.idTokenTypes } : {}),
    };
    this.link = new UpstreamLink({
      name: identity,
      url: config.url,
      identity,
      version: config.version,
      clock,
      log: deps.log,
      traffic: deps.traffic,
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(deps.tls ? { tls: deps.tls } : {}),
      ...linkSettingsOf(config),
      ...(deps.random ? { random: deps.random } : {}),
    });
    this.states = new HubStateStore({ db: store.db, stationState: store.stationState, identity, log: this.log });
    // A failed commit undoes the translation steps of its batch: the state in memory follows.
    store.batch.onRollback(() => this.states.reload());
    const added = this.states.premap(configuredConnectors(deps.stations));
    if (added.length > 0) this.log.info({ mapped: added.length }, 'hub mode: configured connectors mapped upstream');
    const seqNos = new UpstreamSeqNos({ state: store.stationState });
    this.bound = new OutboxBound({
      outbox: store.outbox,
      maxBytes: config.outboxMaxMB * 1e6,
      maxRows: config.outboxMaxRows,
      freeBytes: () => freeBytesNear(store.db),
      codec: PLAIN_CODEC,
      busySeqs: () => new Set(this.pump.inFlightSeq === undefined ? [] : [this.pump.inFlightSeq]),
      absorbed: (link, absorbed) => seqNos.absorb(link, absorbed),
      log: this.log,
    });
    this.journal = new HubJournal({
      store,
      states: this.states,
      linkName: identity,
      written: () => {
        this.bound.appended();
        this.armBatchFlush();
      },
    });
    this.waiters = new DeliveryWaiters({ clock });
    this.gate = new SiteBoot({
      link: this.link,
      clock,
      log: this.log,
      info: { model: 'Switchyard hub' },
      defaultHeartbeatIntervalS: DEFAULT_HEARTBEAT_S,
      retryDelayMs: config.reconnect.initialDelayS * 1000,
    });
    this.gate.onState((state) => {
      if (state !== 'connected') this.waiters.settleAll();
    });
    this.pump = new OutboxPump({
      linkName: identity,
      link: this.gate,
      outbox: store.outbox,
      // The ack is bookkeeping: no fsync of its own (GroupCommit.lazily). A power cut before the
      // next durable commit sends the row again with the same seqNo; a killed process loses nothing.
      atomically: (fn) => store.batch.lazily(fn),
      clock,
      log: this.log,
      retryDelayMs: config.reconnect.initialDelayS * 1000,
      seqNos,
      committed: () => store.batch.barrier(),
      prepare: (entry) => ({ action: entry.action, payload: entry.payload }),
      onDelivered: (entry, result) => {
        this.gate.touch();
        cacheCsmsAnswer(store.authorizations, idTokenOf(entry.payload), result, clock.nowMs());
        this.waiters.settle(entry.seq, result);
      },
      onRejected: (entry, error) => {
        store.messages.append(identity, 'UpstreamRejected', { action: entry.action, payload: entry.payload, code: error.code, description: error.description });
        this.waiters.settle(entry.seq, undefined);
      },
    });
    const reenroll = new ReEnroll({ state: store.stationState, log: this.log });
    this.firmwareDepot = new HttpFirmwareDepot({
      dir: join(deps.dataDir, 'firmware'),
      host: config.firmware.host,
      port: config.firmware.port,
      ...(config.firmware.advertiseUrl !== undefined ? { advertiseUrl: config.firmware.advertiseUrl } : {}),
      log: this.log,
    });
    this.blocks = new HubBlocks({
      identity,
      upstreamVersion: config.version,
      store,
      states: this.states,
      journal: this.journal,
      pump: this.pump,
      gate: this.gate,
      registry: deps.registry,
      options: { firmware: { depot: this.firmwareDepot }, dataTransferRoutes: config.dataTransfer },
      clock,
      log: this.log,
    });
    this.rebootRule = new RebootRule({ store, service: deps.service, clock, log: this.log, graceMs: config.offline.rebootGraceS * 1000 });
    this.chargers = new HubChargerSide({
      config: this.hubConfig,
      linkName: identity,
      store,
      states: this.states,
      journal: this.journal,
      gate: this.gate,
      pump: this.pump,
      waiters: this.waiters,
      registry: deps.registry,
      reenroll,
      rebootRule: this.rebootRule,
      blocks: this.blocks,
      callTimeoutMs: config.callTimeoutS * 1000,
      service: deps.service,
      unknownIdTokensOffline: config.offline.unknownIdTokens,
      clock,
      log: this.log,
    });
    this.limitReporter = new LimitReporter({ config: config.limitReports, states: this.states, journal: this.journal, pump: this.pump, clock, log: this.log });
    const limits = this.limitReporter;
    const csms = new HubCsmsSide({
      config: this.hubConfig,
      store,
      states: this.states,
      gate: this.gate,
      registry: deps.registry,
      reenroll,
      device: { model: 'Switchyard hub', vendorName: HUB_VENDOR_NAME, identity, itemsPerMessage: 50 },
      settings: () => ({
        securityProfile: securityProfileOf(config.url, config.password !== undefined, deps.tls?.cert !== undefined),
        messageTimeoutS: config.callTimeoutS,
        webSocketPingIntervalS: config.pingIntervalS,
        offlineTxForUnknownId: config.offline.unknownIdTokens === 'Accepted',
        limitChangeSignificancePercent: limits.limitChangeSignificancePercent,
        chargingProfileEntries: [...new Set(this.states.state.mapping.entries.map((e) => e.stationId))].reduce((n, id) => n + deps.csmsProfiles.profilesOf(id).length, 0),
      }),
      setLimitChangeSignificance: (percent) => limits.setSignificance(percent),
      evses: evseFacts(deps.stations, this.states.state.mapping.entries, deps.voltageV),
      profiles: deps.csmsProfiles,
      blocks: this.blocks,
      profileScope: hubProfileScope({ version: config.version, identity, states: this.states, send: (action, payload) => this.gate.call(action, payload) }),
      clock,
      log: this.log,
    });
    this.link.handleAny((ctx) => csms.handle(ctx));
    deps.service.onEvent((e) => {
      if (e.kind === 'connection' && !this.stopped) this.chargers.presence(e.stationId, e.connected);
    });
    this.stationHooks = {
      wrap: (stationId, version, action, local) => (ctx) => this.chargers.handle(stationId, version, action, local, ctx),
      relayOther: () => undefined,
    };
  }

  start(): void {
    if (this.stopped) return;
    this.link.start();
    this.armBatchFlush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimeout(this.batchTimer);
    this.rebootRule.stop();
    this.gate.stop();
    this.pump.stop();
    this.waiters.settleAll();
    await this.blocks.stop();
    await this.link.stop();
  }

  view(): UpstreamView {
    this.link.flushTraffic();
    return {
      mode: 'hub',
      links: [{ ...this.link.status(), outboxDepth: this.pump.depth }],
      outboxDepth: this.deps.store.outbox.count(),
      outbox: this.bound.view(),
      traffic: this.deps.traffic.snapshot(),
      budget: this.deps.traffic.budget(),
      mapping: this.states.state.mapping.entries,
      bootStatus: this.gate.bootStatus,
    };
  }

  /** The outbox's size against its bound (measured now). */
  outboxPressure(): OutboxPressureView {
    return this.bound.view();
  }

  /** Arms the timer for the earliest batch of held-back periodic samples (batchWindowS > 0). */
  private armBatchFlush(): void {
    if (this.stopped || this.hubConfig.batchWindowS <= 0) return;
    const since = Object.values(this.states.state.transactions).flatMap((tx) => (tx.pendingSinceMs !== undefined && (tx.pendingSamples?.length ?? 0) > 0 ? [tx.pendingSinceMs] : []));
    if (since.length === 0) return;
    const atMs = Math.min(...since) + this.hubConfig.batchWindowS * 1000;
    if (this.batchTimer !== undefined && this.batchAtMs === atMs) return;
    this.deps.clock.clearTimeout(this.batchTimer);
    this.batchAtMs = atMs;
    this.batchTimer = this.deps.clock.setTimeout(() => {
      this.batchTimer = undefined;
      this.batchAtMs = undefined;
      this.flushBatches();
    }, Math.max(0, atMs - this.deps.clock.nowMs()));
  }

  private flushBatches(): void {
    if (this.stopped) return;
    try {
      const r = flushDueBatches(this.states.state, this.hubConfig, this.deps.clock.nowMs());
      if (r.upstream.length > 0) {
        this.journal.record(r.state, r.upstream, []);
        this.pump.kick();
      } else this.armBatchFlush();
    } catch (err) {
      this.log.error({ err }, 'hub mode: flushing batched samples failed');
    }
  }
}

/** OCPP security profile of the site link: wss with a client certificate 3, wss 2, a password over ws 1, else 0. */
function securityProfileOf(url: string, hasPassword: boolean, hasClientCert: boolean): number {
  if (url.startsWith('wss:')) return hasClientCert ? 3 : 2;
  return hasPassword ? 1 : 0;
}

/** Every configured connector, station by station, EVSE by EVSE (1.6 connector N = EVSE N connector 1). */
function configuredConnectors(stations: readonly StationConfig[]): DownstreamConnectorKey[] {
  return stations.flatMap((s) =>
    s.evses.flatMap((e) => Array.from({ length: e.connectors }, (_, i) => ({ stationId: s.id, evseId: e.id, connectorId: i + 1 }))),
  );
}

/** Device-model facts of each upstream EVSE from the config (max power from current, phases and voltage). */
function evseFacts(stations: readonly StationConfig[], mapping: readonly EvseMappingEntry[], voltageV: number): Record<number, EvseFacts> {
  const facts: Record<number, EvseFacts> = {};
  for (const m of mapping) {
    const evse = stations.find((s) => s.id === m.stationId)?.evses.find((e) => e.id === m.evseId);
    if (!evse || facts[m.upstreamEvseId]) continue;
    facts[m.upstreamEvseId] = { maxPowerW: evse.maxPowerW ?? Math.round(evse.maxCurrentA * voltageV * evse.phases), supplyPhases: evse.phases };
  }
  return facts;
}
