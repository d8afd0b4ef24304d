import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { siteGauges, type SiteMetricsDeps } from './metrics-site.js';
import { KeptTextRegistry } from './kept-text-registry.js';
import { keptFamily, type KeptFamilyDef } from './kept-family.js';
import { CIRCUIT_FAMILIES } from './metrics-circuits.js';
import { EVSE_FAMILIES, type EvseMetricReading } from './metrics-evse.js';
import type { MetricReadings, SiteMetricView } from './metric-readings.js';
import { SeriesTally } from './series-tally.js';
import type { TrafficCounter } from '../ocpp/rpc-types.js';
import type { CallInfo } from '../ocpp/rpc-peer.js';
import type { ControllerStats } from '../control/controller.js';
import type { EnergyQueries } from './energy-queries.js';

/** Upstream link counters, read at scrape time (the upstream side provides them). */
export interface UpstreamMetricsProvider {
  /** Bytes on the wire since start, per direction. */
  bytes(): { in: number; out: number };
  /** Messages waiting in the outbox. */
  outboxDepth(): number;
}

/** Peer events the metrics listen to (RpcPeer has them). */
export interface ObservablePeer {
  on(event: 'callIn' | 'callOut', listener: (info: CallInfo) => void): unknown;
}

export interface HubMetricsDeps {
  stationsConnected(): number;
  energy: Pick<EnergyQueries, 'site' | 'evses'>;
  /** What the metrics read, without building the API's full site and EVSE views (metric-readings.ts); `energy` when absent. */
  readings?: MetricReadings;
  controlStats(): ControllerStats;
  /** Outbox depth until an upstream provider is registered (e.g. the store's outbox count). */
  outboxDepth?(): number;
  /** The outbox against its disk-sized bound (upstream modes only). */
  outboxPressure?(): OutboxPressureMetrics | undefined;
  /** Subscribes to the wall time of every control decision, ms. */
  onDecisionTimed?(listener: (durationMs: number) => void): void;
  /** Meters, stations, transactions and build: see metrics-site.ts. */
  site?: SiteMetricsDeps;
  /** A scrape gives the event loop back between families once it has run this long in one turn, ms (default 5). */
  scrapeTurnMs?: number;
}

/** What the outbox metrics read (upstream/outbox-bound.ts OutboxPressureView has it). */
export interface OutboxPressureMetrics {
  payloadBytes: number;
  boundBytes: number;
  pressure: 'normal' | 'compacting' | 'over';
  rowsMerged: number;
  statusesDropped: number;
}

/** Distinct OCPP action labels kept; more (from misbehaving peers) count as `other`. */
const MAX_ACTIONS = 200;
const ACTION_RE = /^[A-Za-z0-9]{1,50}$/;

/**
 * The hub's Prometheus metrics in a registry of its own (several hubs in one process do not
 * share counters). Event counters are fed through `traffic` and `observePeer`; everything else
 * is read from the hub when scraped.
 */
export class HubMetrics {
  readonly registry: KeptTextRegistry;
  /** The scrape in progress (scrapes run one after the other: the views read once per scrape stay its own). */
  private lastScrape: Promise<unknown> = Promise.resolve();
  private readonly actions = new Set<string>();
  private upstream: UpstreamMetricsProvider | undefined;

  /** Counts every OCPP frame to and from stations (pass to the station sessions' peers). */
  readonly traffic: TrafficCounter = {
    record: (direction, action, bytes) => {
      this.messageCounts.add(1, direction, this.actionLabel(action));
      this.byteCounts.add(bytes, direction);
    },
  };
  /** What the three OCPP counters above hold, counted per frame and handed over when scraped (series-tally.ts). */
  private readonly messageCounts = new SeriesTally(['direction', 'action']);
  private readonly byteCounts = new SeriesTally(['direction']);
  private readonly callCounts = new SeriesTally(['direction', 'action', 'outcome']);

  /** The energy views of the scrape in progress: each read once per scrape, not once per gauge. */
  private scraping: { site?: SiteMetricView; evses?: readonly EvseMetricReading[] } | undefined;
  private readonly energy: { site(): SiteMetricView; evses(): readonly EvseMetricReading[] };

  constructor(private readonly deps: HubMetricsDeps) {
    this.registry = new KeptTextRegistry({ yieldAfterMs: deps.scrapeTurnMs ?? 5 });
    const registers = [this.registry];
    const read: MetricReadings = deps.readings ?? { site: () => deps.energy.site(), evses: () => deps.energy.evses() };
    this.energy = {
      site: () => (this.scraping ? (this.scraping.site ??= read.site()) : read.site()),
      evses: () => (this.scraping ? (this.scraping.evses ??= read.evses()) : read.evses()),
    };
    const { messageCounts, byteCounts, callCounts } = this;
    new Counter({ name: 'switchyard_ocpp_messages_total', help: 'OCPP frames exchanged with stations, by direction (in: from stations) and action', labelNames: ['direction', 'action'], registers, collect() { messageCounts.writeTo(this); } });
    new Counter({ name: 'switchyard_ocpp_bytes_total', help: 'Bytes of OCPP frames exchanged with stations, by direction', labelNames: ['direction'], registers, collect() { byteCounts.writeTo(this); } });
    new Counter({ name: 'switchyard_ocpp_calls_total', help: 'Finished OCPP calls with stations, by direction (in: called by the station), action and outcome', labelNames: ['direction', 'action', 'outcome'], registers, collect() { callCounts.writeTo(this); } });
    this.gauges(registers);
    // Process metrics (CPU, memory, file descriptors, GC) and the event-loop delay
    // (nodejs_eventloop_lag_{min,max,mean,p50,p90,p99}_seconds from monitorEventLoopDelay): a stall
    // of the single thread that serves every station shows here first.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** Counts a station peer's finished calls, in and out. */
  observePeer(peer: ObservablePeer): void {
    const count = (direction: 'in' | 'out') => (info: CallInfo) =>
      this.callCounts.add(1, direction, this.actionLabel(info.action), info.errorCode === undefined ? 'ok' : 'error');
    peer.on('callIn', count('in'));
    peer.on('callOut', count('out'));
  }

  /** Where upstream bytes and outbox depth come from (the upstream link registers itself). */
  registerUpstreamMetrics(provider: UpstreamMetricsProvider): void {
    this.upstream = provider;
  }

  contentType(): string {
    return this.registry.contentType;
  }

  /**
   * The metrics as Prometheus text; the site and EVSE views are read once for the whole scrape,
   * which may span several event-loop turns (KeptTextRegistry); a scrape asked for meanwhile runs after it.
   */
  scrape(): Promise<string> {
    const run = this.lastScrape.then(async () => {
      this.scraping = {};
      try {
        return await this.registry.metrics();
      } finally {
        this.scraping = undefined;
      }
    });
    this.lastScrape = run.catch(() => undefined);
    return run;
  }

  private actionLabel(action: string): string {
    if (this.actions.has(action)) return action;
    if (!ACTION_RE.test(action) || this.actions.size >= MAX_ACTIONS) return 'other';
    this.actions.add(action);
    return action;
  }

  private gauges(registers: Registry[]): void {
    const deps = { ...this.deps, energy: this.energy };
    const readings = this.energy.evses;
    const upstream = (): UpstreamMetricsProvider | undefined => this.upstream;
    new Gauge({
      name: 'switchyard_stations_connected',
      help: 'Stations with an open OCPP connection',
      registers,
      collect() {
        this.set(deps.stationsConnected());
      },
    });
    new Counter({
      name: 'switchyard_upstream_bytes_total',
      help: 'Bytes on the wire of the upstream (CSMS) link, by direction',
      labelNames: ['direction'],
      registers,
      collect() {
        const b = upstream()?.bytes() ?? { in: 0, out: 0 };
        this.reset();
        this.inc({ direction: 'in' }, b.in);
        this.inc({ direction: 'out' }, b.out);
      },
    });
    new Gauge({
      name: 'switchyard_outbox_depth',
      help: 'Messages waiting in the outbox for the upstream link',
      registers,
      collect() {
        this.set(upstream()?.outboxDepth() ?? deps.outboxDepth?.() ?? 0);
      },
    });
    new Gauge({
      name: 'switchyard_outbox_bytes',
      help: 'Outbox size, bytes of stored messages: what it holds (kind="held") and its bound in force (kind="bound", the smaller of upstream.outboxMaxMB and half the free disk space)',
      labelNames: ['kind'],
      registers,
      collect() {
        const p = deps.outboxPressure?.();
        this.reset();
        if (!p) return;
        this.set({ kind: 'held' }, p.payloadBytes);
        this.set({ kind: 'bound' }, p.boundBytes);
      },
    });
    new Gauge({
      name: 'switchyard_outbox_pressure',
      help: 'Outbox pressure: 0 normal, 1 compacting (near the bound: periodic readings merged), 2 over the bound after compaction (billing messages kept)',
      registers,
      collect() {
        const p = deps.outboxPressure?.();
        this.set(p === undefined ? 0 : p.pressure === 'over' ? 2 : p.pressure === 'compacting' ? 1 : 0);
      },
    });
    new Counter({
      name: 'switchyard_outbox_compacted_total',
      help: 'Outbox rows compacted since start: merged into an earlier message of the same transaction (kind="merged", nothing lost), superseded status notifications dropped (kind="status_dropped")',
      labelNames: ['kind'],
      registers,
      collect() {
        const p = deps.outboxPressure?.();
        this.reset();
        this.inc({ kind: 'merged' }, p?.rowsMerged ?? 0);
        this.inc({ kind: 'status_dropped' }, p?.statusesDropped ?? 0);
      },
    });
    new Counter({
      name: 'switchyard_control_decisions_total',
      help: 'Control-loop decisions made',
      registers,
      collect() {
        this.reset();
        this.inc(deps.controlStats().decisions);
      },
    });
    new Counter({
      name: 'switchyard_control_decision_failures_total',
      help: 'Control-loop decisions that failed (EVSEs then got their base share)',
      registers,
      collect() {
        this.reset();
        this.inc(deps.controlStats().failures);
      },
    });
    const decisionSeconds = new Histogram({
      name: 'switchyard_control_decision_seconds',
      help: 'Wall time of control-loop decisions, s',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    });
    deps.onDecisionTimed?.((ms) => decisionSeconds.observe(ms / 1000));
    // Per-circuit and per-EVSE families (hundreds and thousands of series): lines kept between scrapes (kept-family.ts).
    for (const def of CIRCUIT_FAMILIES) keptFamily(this.registry, 'gauge', def, () => deps.energy.site().circuits);
    for (const def of EVSE_FAMILIES) keptFamily(this.registry, 'gauge', def as KeptFamilyDef<EvseMetricReading, string>, readings);
    if (deps.site) siteGauges(this.registry, deps.site, this.energy, readings);
  }
}

export { sourceKind } from './metrics-evse.js';
