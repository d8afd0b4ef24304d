/** Composition root: builds the parts of a hub from a SiteConfig, starts them, stops them. */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from './config/schema.js';
import { checkBeforeStart } from './config/load.js';
import { dbPathOf, resolveDataDir } from './config/data-dir.js';
import type { Logger } from './util/logger.js';
import { systemClock, type Clock } from './util/clock.js';
import { RetentionJob } from './store/retention-job.js';
import { openStore, type Store } from './store/store.js';
import { StationService, type StationEvent } from './evse/station-service.js';
import { StationRegistry } from './evse/station-registry.js';
import { StationSession } from './evse/station-session.js';
import { DownstreamServer, type TlsMaterial } from './evse/downstream-server.js';
import { versionOf } from './ocpp/versions.js';
import { buildApi } from './api/api-server.js';
import { hubQueries } from './evse/hub-queries-impl.js';
import { energyQueries } from './energy-queries-impl.js';
import { startFleet, type Fleet } from './sim/fleet.js';
import { HubEnergy } from './hub-energy.js';
import { fleetChargersFromConfig } from './sim/fleet-from-config.js';
import { HubMetrics } from './api/metrics.js';
import { metricReadings } from './api/metric-readings.js';
import { packageVersion } from './meters/mqtt-out-service.js';
import { RemoteControl } from './api/remote-control.js';
import { HubUpstream } from './upstream/hub/hub-upstream.js';
import { createUpstream } from './upstream/create-upstream.js';
import { CsmsProfiles } from './upstream/csms-profiles.js';
import type { Upstream } from './upstream/upstream.js';
import { createDerWiring } from './der-wiring.js';
import { Commissioning } from './evse/commissioning.js';
import { storedInvitations } from './evse/commissioning-invitations.js';
import { CommissioningService } from './commissioning-service.js';
import { withCommissionedStations } from './config/commissioned-stations.js';
import { maxConnectionsOf } from './config/connection-limit.js';
import type { DashboardProvider } from './api/dashboard/dashboard-provider.js';
import { dashboardFacts, powerReadingNow } from './hub-dashboard-reads.js';
import { PowerSampler } from './history/power-sampler.js';
import { HistoryService } from './history/history-service.js';
import { listenApi } from './hub-api-listen.js';

export interface HubDeps {
  config: SiteConfig;
  /** Where the config came from: relative paths in it (TLS files, data dir) resolve against it. */
  configPath: string;
  log: Logger;
  clock?: Clock;
  /** The operating system's boot id as the store sees it (default: the system's; tests restart "the system" with another). */
  bootId?: string;
  /**
   * Sites with at least this many EVSEs decide step by step when not urgent, yielding through the
   * clock between steps (default 500). Tests set 0 to run small sites stepped on a FakeClock.
   */
  steppedFromEvses?: number;
}

export interface RunningHub {
  /** ws[s]://host:port/<prefix> that stations connect to (append /<stationId>). */
  ocppUrl: string;
  ocppPort: number;
  /** Open TCP connections on the OCPP port: all, and those not yet upgraded. */
  ocppConnections(): { total: number; pending: number };
  apiUrl: string;
  apiPort: number;
  store: Store;
  registry: StationRegistry;
  energy: HubEnergy;
  api: FastifyInstance;
  /** Prometheus metrics (own registry); the upstream link registers its counters here. */
  metrics: HubMetrics;
  /** The upstream mode (proxy/hub); undefined in standalone mode. */
  upstream: Upstream | undefined;
  /** Listens to what stations report (StationService events). */
  onStationEvent(listener: (e: StationEvent) => void): void;
  stop(): Promise<void>;
}

function tlsMaterial(config: SiteConfig, baseDir: string): TlsMaterial | undefined {
  const tls = config.server.tls;
  if (!tls) return undefined;
  const read = (f: string) => readFileSync(resolve(baseDir, f));
  return { cert: read(tls.certFile), key: read(tls.keyFile), ...(tls.caFile ? { ca: read(tls.caFile) } : {}), minVersion: tls.minVersion, ciphers: tls.ciphers };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

export async function startHub(deps: HubDeps): Promise<RunningHub> {
  const { log } = deps;
  let config = deps.config;
  const clock = deps.clock ?? systemClock({ onTimerError: (err) => log.error({ err }, 'timer callback failed (the hub keeps running)') });
  const baseDir = dirname(deps.configPath);
  // Nothing is written before the config, its files and its data directory passed.
  checkBeforeStart(config, deps.configPath);
  const dataDir = resolveDataDir(config, deps.configPath);
  mkdirSync(dataDir, { recursive: true });
  const dbPath = dbPathOf(dataDir);
  const store = openStore({
    path: dbPath,
    clock,
    ...('bootId' in deps ? { bootId: deps.bootId } : {}),
    checkpointInWorker: { onFailure: (err) => log.warn({ err }, 'background checkpoint failed: the store checkpoints in its commits again') },
  });
  log.info({ dbPath }, 'store opened');
  const { retention: retentionConfig } = config.data;
  const retention = new RetentionJob({
    db: store.db,
    clock,
    log: log.child({ part: 'retention' }),
    policy: retentionConfig,
    intervalMs: retentionConfig.pruneIntervalS * 1000,
    batchRows: retentionConfig.batchRows,
    onEventsDeleted: () => store.transactions.forgetRetryWindows(),
  });
  retention.start();

  store.authorizations.upsertMany(
    config.authorization.list.map((e) => ({
      idToken: e.idToken,
      status: e.status,
      ...(e.expiry ? { expiryMs: Date.parse(e.expiry) } : {}),
      ...(e.parentIdToken ? { parentIdToken: e.parentIdToken } : {}),
    })),
  );
  store.stations.disconnectAll();

  // Stations added by commissioning live in the store; the site config's win where both define one.
  const yamlStationIds = new Set(config.stations.map((s) => s.id));
  const merged = withCommissionedStations(config, store.commissioned.list());
  for (const warning of merged.warnings) log.warn(warning);
  config = merged.config;
  if (merged.added.length > 0) log.info({ stations: merged.added.map((s) => s.id) }, 'stations added by commissioning');
  const commissioning = new Commissioning({
    clock,
    options: { sources: config.server.commissioning.sources, maxNewPerWindow: config.server.commissioning.maxNewPerWindow },
    invitations: storedInvitations(store.stationState),
  });
  if (config.server.commissioning.windowAtStartS > 0) commissioning.open(config.server.commissioning.windowAtStartS);

  // Read at every login and boot: commissioning adds and removes stations at runtime.
  const stations = new Map(config.stations.map((s) => [s.id, s]));
  const service = new StationService({
    store,
    clock,
    log: log.child({ part: 'stations' }),
    stations,
    heartbeatIntervalS: config.server.heartbeatIntervalS,
    unknownIdTokens: config.authorization.unknownIdTokens,
    commissioning,
  });
  const registry = new StationRegistry({ log, onDisconnected: (id) => service.disconnected(id) });
  // The CSMS's charging profiles: stored by the hub, fed to the controller (energy is created below).
  const csmsProfiles = new CsmsProfiles({
    store,
    clock,
    log: log.child({ part: 'csms-profiles' }),
    evses: () => energy.site.evses,
    activeTransactionOf: (stationId, evseId) => energy.activeTransactionOf(stationId, evseId),
    sessionLimitsOf: (evseKey) => energy.sessionLimitsOf(evseKey),
    controllable: (evseKey) => energy.dispatcher.isControllable(evseKey),
    onChange: (stationId) => energy.csmsProfilesChanged(stationId),
  });
  const upstream = createUpstream({ config, baseDir, store, service, registry, clock, log, csmsProfiles });
  // OCPP 2.1 DER control (hub mode on a 2.1 link only): handlers on the site link, a strategy for the controller.
  const der = createDerWiring({ config, upstream, store, clock, log, onChange: (reason) => energy.controller.trigger(reason) });
  const startedMs = clock.nowMs();
  let fleet: Fleet | undefined;
  // Remote start/stop (standalone mode): one instance for the API and the EVSE controls (dashboard, MQTT).
  const remote = new RemoteControl({
    standalone: config.upstream.mode === 'none',
    knownStation: (id) => stations.has(id) || store.stations.get(id) !== undefined,
    link: (id) => {
      const session = registry.get(id);
      // As for profiles: nothing is sent to a station before it booted and was accepted.
      if (!session?.isOpen || !service.isAdmitted(id) || !service.isBootAccepted(id)) return undefined;
      return { version: session.version, call: (action, payload, signal) => session.peer.call(action, payload, signal ? { signal } : {}) };
    },
    activeTransaction: (id, evseId) => store.transactions.findActive(id, evseId)[0],
    clock,
    callTimeoutMs: config.api.stationCallTimeoutS * 1000,
  });
  const energy = new HubEnergy({
    config,
    clock,
    log,
    store,
    registry,
    service,
    simulatedEvCurrentA: () => fleet?.drawnCurrentA() ?? { L1: 0, L2: 0, L3: 0 },
    ...(der ? { extraStrategies: [der.strategy] } : {}),
    ...(upstream instanceof HubUpstream ? { limitObserver: (limits) => upstream.limitReporter.observe(limits) } : {}),
    remote,
    ...(deps.steppedFromEvses !== undefined ? { steppedFromEvses: deps.steppedFromEvses } : {}),
  });
  if (der) {
    energy.meters?.onReading((r) => der.onMeterReading(r));
    der.start();
  }
  await energy.start();
  const energyApi = energyQueries(energy, clock, der ? { der: () => ({ inForce: der.inForce() }) } : {});
  const transactionCounts = { started: 0, ended: 0 };
  service.onEvent((e) => {
    if (e.kind !== 'transaction') return;
    if (e.event.eventType === 'Started') transactionCounts.started++;
    else if (e.event.eventType === 'Ended') transactionCounts.ended++;
  });
  const readings = metricReadings(energy, clock);
  const metrics = new HubMetrics({
    stationsConnected: () => registry.size,
    energy: energyApi,
    readings,
    controlStats: () => energy.controller.stats(),
    onDecisionTimed: (listener) => energy.controller.onDecisionTimed(listener),
    site: {
      stations: () => config.stations.map((s) => ({ stationId: s.id, connected: registry.get(s.id) !== undefined })),
      voltageV: config.site.voltageV,
      version: packageVersion(),
      transactions: () => ({ ...transactionCounts }),
      evseRegistersWh: readings.registersWh,
      evseRegisterReadingsRejected: () => energy.totals.registers.rejectedCount(),
    },
    outboxDepth: () => store.outbox.count(),
    outboxPressure: () => upstream?.outboxPressure(),
  });

  const server = new DownstreamServer({
    host: config.server.host,
    port: config.server.port,
    pathPrefix: config.server.pathPrefix,
    stations,
    admitUnknownStations: config.server.admitUnknownStations,
    ...(config.upstream.mode === 'none' ? { commissioning } : {}),
    onRefused: (r) => commissioning.refusedConnection({ ...(r.stationId !== undefined ? { stationId: r.stationId } : {}), remoteAddress: r.remoteAddress, timeMs: clock.nowMs(), reason: `${r.httpStatus}: ${r.reason}` }),
    maxFrameBytes: config.server.maxFrameBytes,
    ...(config.server.tls ? { tls: tlsMaterial(config, baseDir) as TlsMaterial } : {}),
    log: log.child({ part: 'downstream' }),
    clock,
    limits: {
      maxConnections: maxConnectionsOf(config),
      maxPending: config.server.limits.maxPending,
      maxPendingPerAddress: config.server.limits.maxPendingPerAddress,
      handshakeTimeoutMs: config.server.limits.handshakeTimeoutS * 1000,
    },
    login: { freeFailures: config.server.limits.loginFreeFailures, maxDelayS: config.server.limits.loginMaxDelayS },
    onConnection: (conn) => {
      const version = versionOf(conn.subprotocol);
      log.info({ stationId: conn.stationId, version, remote: conn.remoteAddress }, 'station connected');
      const session = new StationSession({
        stationId: conn.stationId,
        version,
        socket: conn.socket,
        clock,
        log,
        service,
        rpc: {
          callTimeoutMs: config.server.callTimeoutS * 1000,
          maxFrameBytes: config.server.maxFrameBytes,
          strict: true,
          maxCallsInFlight: config.server.limits.maxCallsInFlight,
        },
        pingIntervalMs: config.server.pingIntervalS * 1000,
        traffic: metrics.traffic,
        commit: store.batch,
        ...(upstream ? { upstream: upstream.stationHooks } : {}),
      });
      metrics.observePeer(session.peer);
      registry.add(session, conn.remoteAddress);
      energy.onStationConnected(conn.stationId);
    },
  });
  if (config.server.admitUnknownStations) log.warn('server.admitUnknownStations is on: any station may connect without credentials (demo only)');
  const openStations = config.stations.filter((s) => s.securityProfile === 0).map((s) => s.id);
  if (openStations.length > 0) log.warn({ stations: openStations }, 'security profile 0: these stations connect without any authentication');
  const ocpp = await server.listen();
  log.info({ url: `${ocpp.url}/<stationId>`, bound: ocpp.bound }, 'OCPP endpoint listening');
  upstream?.start();

  const commissioningService = new CommissioningService({
    commissioning,
    store,
    registry,
    stations,
    yamlStationIds,
    energy,
    circuitIds: config.circuits.map((c) => c.id),
    standalone: config.upstream.mode === 'none',
    ocppEndpoint: { listenUrl: () => ocpp.url, listenWildcard: isWildcard(config.server.host), ...(config.server.publicUrl !== undefined ? { publicUrl: config.server.publicUrl } : {}) },
    log: log.child({ part: 'commissioning' }),
  });
  // A station found in a commissioning window: a 1.6 charger is asked for its connectors' status (allowed while Pending).
  service.onEvent((e) => {
    if (e.kind !== 'pending') return;
    const session = registry.get(e.stationId);
    if (session?.version === '1.6') session.peer.call('TriggerMessage', { requestedMessage: 'StatusNotification' }).catch((err: unknown) => log.debug({ err, stationId: e.stationId }, 'TriggerMessage StatusNotification failed'));
  });

  const dashboard: DashboardProvider = {
    siteName: config.site.name,
    voltageV: config.site.voltageV,
    site: energy.site,
    violations: () => energy.lastDecision()?.violations ?? [],
    onChange: (listener) => service.onEvent(() => listener()),
    facts: dashboardFacts({ clock, store, registry, energy, onStationEvent: (listener) => service.onEvent(listener) }),
  };
  // Power history: sampled on the clock from the figures the dashboard shows, one write per minute.
  const sampler = new PowerSampler({
    clock,
    log: log.child({ part: 'history' }),
    sink: store.powerHistory,
    read: powerReadingNow({ clock, energy, provider: dashboard }),
  });
  sampler.start();
  const history = new HistoryService({
    clock,
    powerHistory: store.powerHistory,
    sessions: store.sessions,
    pending: () => sampler.pending(),
    powerHistoryDays: retentionConfig.powerHistoryDays,
  });

  const api = buildApi({
    commissioning: commissioningService,
    history,
    log,
    queries: hubQueries({ store, registry, clock, startedMs, upstreamMode: config.upstream.mode }),
    energy: energyApi,
    ...(config.api.token ? { token: config.api.token } : {}),
    ...(config.api.tls ? { https: { cert: readFileSync(resolve(baseDir, config.api.tls.certFile)), key: readFileSync(resolve(baseDir, config.api.tls.keyFile)) } } : {}),
    security: {
      allowedHosts: [...config.api.allowedHosts, ...(isWildcard(config.api.host) ? [] : [config.api.host])],
      streamNeedsToken: config.api.streamNeedsToken,
      maxStreamReaders: config.api.maxStreamReaders,
      maxStreamReadersPerAddress: config.api.maxStreamReadersPerAddress,
      maxConnections: config.api.maxConnections,
    },
    remote,
    authorizations: store.authorizations,
    metrics,
    ...(upstream ? { upstream } : {}),
    dashboard,
  });
  const { apiUrl, apiPort } = await listenApi(api, config, log);

  const simChargers = fleetChargersFromConfig(config);
  if (simChargers.length > 0) {
    fleet = await startFleet({
      endpoint: ocpp.url,
      chargers: simChargers,
      clock,
      log: log.child({ part: 'sim' }),
      scenario: 'demo',
      seed: config.simulation?.seed ?? 1,
      ...(config.simulation?.idTags.length ? { demo: { idTags: config.simulation.idTags } } : {}),
    });
  }

  let stopped = false;
  return {
    ocppUrl: ocpp.url,
    ocppPort: ocpp.port,
    ocppConnections: () => server.connections,
    apiUrl,
    apiPort,
    store,
    registry,
    energy,
    api,
    metrics,
    upstream,
    onStationEvent: (listener) => service.onEvent(listener),
    async stop() {
      if (stopped) return;
      stopped = true;
      // Writes the minute in progress: a restart within the minute merges into it.
      sampler.stop();
      await fleet?.stop();
      der?.stop();
      await energy.stop();
      await registry.closeAll();
      await upstream?.stop();
      await server.close();
      await api.close();
      await retention.stop();
      await store.closeSettled();
      log.info('hub stopped');
    },
  };
}
