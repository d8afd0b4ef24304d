import type { CurrentLimit } from '../../energy/limit.js';
import type { Phase } from '../../energy/phases.js';
import type { AgedReading } from '../../energy/meter-reading.js';
import type { EvseEnergyView, EvseSettingsView, SiteView } from '../energy-queries.js';
import type { StationView } from '../hub-queries.js';
import type { DashboardProvider } from './dashboard-provider.js';
import type { DashboardEvent } from './event-log.js';

const PHASE_LIST: readonly Phase[] = ['L1', 'L2', 'L3'];

/** One phase of a circuit: its limit and what is on it, A. */
export interface CircuitPhaseRow {
  phase: Phase;
  limitA: number;
  nonEvA: number;
  allocatedA: number;
}

export interface CircuitRow {
  id: string;
  /** 0 for a root; children follow their parent. */
  depth: number;
  phases: CircuitPhaseRow[];
  /** Why the circuit is on failsafe (stale or missing meter), when it is. */
  stale?: string;
  /** The root made up when the config has none: its limit never binds. */
  implicit: boolean;
}

export interface EvseRow {
  key: string;
  stationId: string;
  evseId: number;
  connected: boolean;
  /** Connector status as the station said it (1.6 detail such as Charging when present). */
  status: string;
  /** Allocation status (served, paused, ...) from the last decision. */
  allocation?: string;
  phases: number;
  /** Current offered per phase (the limit sent), A. */
  offeredA?: number;
  /** Current measured per EVSE phase, A. */
  drawnA?: number[];
  mode?: string;
  /** Who set the mode: `rule:<id>`, `config`, `api` or `mqtt`. */
  modeSource?: string;
  /** The operator's settings with who set each (the controls show and change them). */
  settings?: EvseSettingsView;
  /** With a solar mode: false while the operation mode keeps the solar strategy from acting. */
  solarInForce?: boolean;
  /** The EVSE's configured range, A per phase (bounds of the max-current control). */
  minCurrentA?: number;
  maxCurrentA?: number;
  transaction?: { id: string; startedMs: number; energyWh?: number; idToken?: string };
  /** The limit that decided the offered current, with its source. */
  binding?: CurrentLimit;
  /** Every limit that applied, with its source. */
  limits: CurrentLimit[];
  baseShareA?: number;
}

export interface MeterRow {
  id: string;
  role?: string;
  powerW?: number;
  ageS: number;
  stale: boolean;
}

/** What the dashboard page renders; pushed over the live stream. Power: import positive, W. */
export interface DashboardSnapshot {
  nowMs: number;
  siteName: string;
  upstream: string;
  /** Every station the hub knows or the config names; one that never connected has no version. */
  stations: Array<{ id: string; connected: boolean; version?: string }>;
  /** Push period of the live stream, ms: a page that heard nothing for two periods is not live. */
  periodMs: number;
  /** Upper bound of the site limit override (the grid connection), W. */
  siteLimitMaxW?: number;
  power: { gridW?: number; pvW?: number; evW: number; limitW?: number; limitSource?: string };
  siteLimit?: { powerW: number; untilMs: number; source: string };
  meters: MeterRow[];
  circuits: CircuitRow[];
  evses: EvseRow[];
  lastDecision?: { atMs: number; durationMs: number; reasons: string[] };
  dispatch: SiteView['dispatch'];
  violations: string[];
  events: DashboardEvent[];
  /** Pages watching the live stream now. */
  viewers: number;
}

export interface SnapshotInput {
  site: SiteView;
  evses: EvseEnergyView[];
  stations: StationView[];
  upstream: string;
  provider?: DashboardProvider;
  events: DashboardEvent[];
  /** Push period of the live stream, ms (default 1000). */
  periodMs?: number;
  siteLimitMaxW?: number;
}

/** Active power of a reading, W: its powerW, else the sum of phase currents times the voltage. */
export function readingPowerW(r: AgedReading, voltageV: number): number | undefined {
  if (r.powerW !== undefined) return r.powerW;
  const c = r.currentA;
  if (!c) return undefined;
  return PHASE_LIST.reduce((sum, p) => sum + (c[p] ?? 0) * (r.voltageV?.[p] ?? voltageV), 0);
}

/**
 * Limits without repeats of the same source and value: a cap known before the strategies (an
 * operator's max current, a CSMS profile) comes back as the load-balancing decision it bound.
 */
function distinctLimits(limits: readonly CurrentLimit[]): CurrentLimit[] {
  const seen = new Set<string>();
  return limits.filter((l) => {
    const id = `${l.source}\n${l.maxCurrentA}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Assembles the dashboard's view from the API read models and the hub's provider. Pure. */
export function buildSnapshot(input: SnapshotInput): DashboardSnapshot {
  const { site, provider } = input;
  const connected = new Map(input.stations.map((s) => [s.stationId, s.connected]));
  const stationById = new Map(input.stations.map((s) => [s.stationId, s]));
  const stationEvse = (stationId: string, evseId: number) => stationById.get(stationId)?.evses.find((e) => e.evseId === evseId);

  const evses: EvseRow[] = input.evses.map((e) => {
    const view = stationEvse(e.stationId, e.evseId);
    const conn = view?.connectors[0];
    const tx = view?.transaction;
    const offeredA = e.offeredA ?? e.limit?.maxCurrentA;
    return {
      key: e.evseKey,
      stationId: e.stationId,
      evseId: e.evseId,
      connected: connected.get(e.stationId) ?? false,
      status: conn ? (conn.detail ?? conn.status) : 'Unknown',
      ...(e.allocation ? { allocation: e.allocation } : {}),
      phases: e.phases,
      ...(offeredA !== undefined ? { offeredA: round1(offeredA) } : {}),
      ...(e.drawnA ? { drawnA: shownDrawnA(e.drawnA) } : {}),
      mode: e.mode,
      modeSource: e.modeSource,
      settings: e.settings,
      ...(e.solarInForce !== undefined ? { solarInForce: e.solarInForce } : {}),
      minCurrentA: e.minCurrentA,
      maxCurrentA: e.maxCurrentA,
      ...(tx
        ? { transaction: { id: tx.transactionId, startedMs: tx.startedMs, ...(tx.energyWh !== undefined ? { energyWh: tx.energyWh } : {}), ...(tx.idToken ? { idToken: tx.idToken } : {}) } }
        : {}),
      ...(e.limit ? { binding: e.limit } : {}),
      limits: distinctLimits(e.limits),
      ...(e.baseShareA !== undefined ? { baseShareA: e.baseShareA } : {}),
    };
  });

  const { power, meters } = sitePower({ meters: site.meters, ...(site.siteLimit ? { siteLimit: site.siteLimit } : {}), evses, ...(provider ? { provider } : {}) });
  const circuits = circuitRows(site, provider);
  return {
    nowMs: site.nowMs,
    siteName: provider?.siteName ?? 'Switchyard site',
    upstream: input.upstream,
    stations: stationRows(input),
    periodMs: input.periodMs ?? 1000,
    ...(input.siteLimitMaxW !== undefined ? { siteLimitMaxW: input.siteLimitMaxW } : {}),
    power,
    ...(site.siteLimit ? { siteLimit: site.siteLimit } : {}),
    meters,
    circuits,
    evses,
    ...(site.lastDecision ? { lastDecision: site.lastDecision } : {}),
    dispatch: site.dispatch,
    violations: provider?.violations() ?? [],
    events: input.events,
    viewers: 0,
  };
}

/** What the site's power figures are made of: meter readings, the override, each EVSE's drawn current (A per phase, as shown). */
export interface SitePowerInput {
  meters: Record<string, AgedReading>;
  siteLimit?: { powerW: number; untilMs: number; source: string };
  evses: ReadonlyArray<{ drawnA?: readonly number[] }>;
  provider?: DashboardProvider;
}

/**
 * The site's power as the dashboard shows it (grid, PV, EV total, site limit) and its meter
 * rows. Pure; also what the power history samples, without a whole snapshot.
 */
export function sitePower(input: SitePowerInput): { power: DashboardSnapshot['power']; meters: MeterRow[] } {
  const { provider } = input;
  const voltageV = provider?.voltageV ?? 230;
  const evW = input.evses.reduce((sum, e) => sum + (e.drawnA ?? []).reduce((a, b) => a + b, 0) * voltageV, 0);
  const meters: MeterRow[] = Object.entries(input.meters).map(([id, r]) => {
    const powerW = readingPowerW(r, voltageV);
    const role = roleOf(id, provider);
    return { id, ...(role ? { role } : {}), ...(powerW !== undefined ? { powerW: Math.round(powerW) } : {}), ageS: round1(r.ageS), stale: r.stale };
  });
  const gridW = meters.find((m) => m.role === 'grid' && !m.stale)?.powerW;
  const pvRaw = meters.find((m) => m.role === 'pv' && !m.stale)?.powerW;
  const limit = siteLimitW(input.siteLimit, provider, voltageV);
  const power = {
    ...(gridW !== undefined ? { gridW } : {}),
    // PV meters read negative when producing; the chart shows production as positive.
    ...(pvRaw !== undefined ? { pvW: Math.abs(pvRaw) } : {}),
    evW: Math.round(evW),
    ...(limit ? { limitW: limit.powerW, limitSource: limit.source } : {}),
  };
  return { power, meters };
}

/** A drawn current per phase as the dashboard shows it (0.1 A). */
export function shownDrawnA(drawnA: readonly number[]): number[] {
  return drawnA.map(round1);
}

/** Stations the hub has seen, then configured ones that never connected (offline, no version). */
function stationRows(input: SnapshotInput): DashboardSnapshot['stations'] {
  const rows: DashboardSnapshot['stations'] = input.stations.map((s) => ({ id: s.stationId, connected: s.connected, version: s.version }));
  const seen = new Set(rows.map((r) => r.id));
  for (const e of input.evses) {
    if (seen.has(e.stationId)) continue;
    seen.add(e.stationId);
    rows.push({ id: e.stationId, connected: false });
  }
  return rows;
}

function roleOf(meterId: string, provider: DashboardProvider | undefined): string | undefined {
  const roles = provider?.site.meterRoles;
  if (!roles) return undefined;
  if (roles.gridMeterId === meterId) return 'grid';
  if (roles.pvMeterId === meterId) return 'pv';
  if (roles.batteryMeterId === meterId) return 'battery';
  return provider.site.circuits.some((c) => c.meterId === meterId) ? 'circuit' : undefined;
}

/** Circuits in tree order (each parent before its children) with their depth. */
function circuitRows(site: SiteView, provider: DashboardProvider | undefined): CircuitRow[] {
  const nodes = provider?.site.circuits ?? site.circuits.map((c) => ({ id: c.circuitId }));
  const budgets = new Map(site.circuits.map((c) => [c.circuitId, c]));
  const parentOf = new Map(nodes.map((n) => [n.id, 'parentId' in n ? n.parentId : undefined]));
  const out: CircuitRow[] = [];
  const visit = (id: string | undefined, depth: number) => {
    for (const n of nodes) {
      if (parentOf.get(n.id) !== id) continue;
      const b = budgets.get(n.id);
      const node = provider?.site.circuits.find((c) => c.id === n.id);
      out.push({
        id: n.id,
        depth,
        phases: PHASE_LIST.map((p) => ({
          phase: p,
          limitA: round1(b?.phases[p].limitA ?? node?.maxCurrentA[p] ?? 0),
          nonEvA: round1(Math.max(0, b?.phases[p].nonEvA ?? 0)),
          allocatedA: round1(b?.phases[p].allocatedA ?? 0),
        })),
        ...(site.staleCircuits[n.id] ? { stale: site.staleCircuits[n.id] } : {}),
        implicit: provider?.site.implicitRoot === true && depth === 0,
      });
      if (depth < 16) visit(n.id, depth + 1);
    }
  };
  visit(undefined, 0);
  return out;
}

/** The site import limit now, W, and who set it: the override, else the root circuit. */
function siteLimitW(override: SitePowerInput['siteLimit'], provider: DashboardProvider | undefined, voltageV: number): { powerW: number; source: string } | undefined {
  const candidates: Array<{ powerW: number; source: string }> = [];
  if (override) candidates.push({ powerW: override.powerW, source: override.source });
  const root = provider?.site.circuits.find((c) => c.parentId === undefined);
  if (root && !provider?.site.implicitRoot) {
    candidates.push({ powerW: Math.round(PHASE_LIST.reduce((s, p) => s + root.maxCurrentA[p] * voltageV, 0)), source: `fuse:${root.id}` });
    if (root.maxPowerW !== undefined) candidates.push({ powerW: root.maxPowerW, source: `circuit:${root.id}` });
  }
  let best: { powerW: number; source: string } | undefined;
  for (const c of candidates) if (!best || c.powerW < best.powerW) best = c;
  return best;
}
