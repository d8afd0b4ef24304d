import type { CurrentLimit } from '../energy/limit.js';
import type { AgedReading } from '../energy/meter-reading.js';
import type { PerPhase } from '../energy/phases.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';

/**
 * What MQTT out publishes, read from the hub at publish time. Sign conventions: grid power is
 * positive when importing; PV power is positive when producing; EV power and current are
 * positive when charging.
 */
export interface SiteStateOut {
  /** Grid meter's active power, W (import positive); null without a fresh grid reading. */
  gridPowerW: number | null;
  /** PV production, W (positive when producing); null without a fresh PV reading. */
  pvPowerW: number | null;
  /** All EVs together, W, estimated from their measured currents and the nominal voltage. */
  evPowerW: number;
  /** All EVs together per grid phase, A. */
  evCurrentA: PerPhase;
  /** Site import limit in force (override), W; null when none. */
  siteLimitW: number | null;
  siteLimitSource: string | null;
  /** Meters whose reading is stale (or never came). */
  staleMeters: string[];
  /** Lifetime totals kept by the hub, kWh (never going down); null without a grid / PV meter. */
  gridImportKWh: number | null;
  gridExportKWh: number | null;
  pvEnergyKWh: number | null;
}

/** A station as its Home Assistant device shows it. */
export interface StationStateOut {
  stationId: string;
  /** Connected over OCPP now. */
  online: boolean;
  /** From its last BootNotification (1.6 chargePointVendor/Model, firmwareVersion; 2.x chargingStation.*). */
  vendor?: string;
  model?: string;
  firmwareVersion?: string;
  serialNumber?: string;
}

export interface EvseStateOut {
  evseKey: string;
  stationId: string;
  evseId: number;
  /** Connector status (Available, Occupied, Charging, Faulted, ...), or Offline when the station is not connected. */
  status: string;
  /** What the hub allows the EVSE now, A per phase; null before the first decision. */
  offeredCurrentA: number | null;
  /** Highest current the EV draws on any phase, A; null when not measured. */
  drawnCurrentA: number | null;
  /** Estimated from the measured currents and the nominal voltage, W; 0 when not charging. */
  powerW: number;
  /** Energy of the running session, Wh; null without a session or register readings. */
  sessionEnergyWh: number | null;
  /** Operation mode. */
  mode: string;
  /** Who set the binding limit (`fuse:main`, `evse:max`, `override:api`, ...); null before the first decision. */
  limitSource: string | null;
  transactionId: string | null;
  /** Solar mode (off, now, min+pv, pv); null without a solar-surplus strategy. */
  solarMode: string | null;
  /** The EVSE's max current in force, A. */
  maxCurrentA: number;
  /** The charger's lifetime Energy.Active.Import.Register for this EVSE, kWh; null before its first report. */
  energyKWh: number | null;
}

export interface MqttOutState {
  site: SiteStateOut;
  evses: EvseStateOut[];
  stations: StationStateOut[];
}

/** What the state is read from: HubEnergy has all of it. */
export interface MqttOutHubView {
  site: { evses: EvseModel[]; meterRoles: { gridMeterId?: string; pvMeterId?: string } };
  meters: { snapshot(nowMs: number): Record<string, AgedReading> } | undefined;
  live: { snapshot(): Record<string, EvseLiveState> };
  lastDecision(): { evses: Record<string, { limit: CurrentLimit }> } | undefined;
  activeOverride(nowMs: number): { powerW: number; source: string } | undefined;
  modeOf(evseKey: string): string;
}

export interface MqttOutStateReaderDeps {
  hub: MqttOutHubView;
  /** Connector status of an EVSE (its first connector's), undefined when never reported. */
  connectorStatus(stationId: string, evseId: number): string | undefined;
  isConnected(stationId: string): boolean;
  /** Energy so far of a transaction, Wh. */
  sessionEnergyWh(stationId: string, transactionId: string): number | undefined;
  /** What the station told at its last boot. */
  stationInfo?(stationId: string): Omit<StationStateOut, 'stationId' | 'online'> | undefined;
  /** The charger's lifetime import register of an EVSE, Wh. */
  evseRegisterWh?(stationId: string, evseId: number): number | undefined;
  /** An EVSE's solar mode; undefined without a solar-surplus strategy. */
  solarModeOf?(evseKey: string): string | undefined;
  /** An operator's max current on an EVSE, A; undefined: its configured max applies. */
  maxCurrentAOf?(evseKey: string): number | undefined;
  /** The site's lifetime totals, Wh. */
  siteEnergyWh?(): { gridImport: number | null; gridExport: number | null; pv: number | null };
}

export function readMqttOutState(deps: MqttOutStateReaderDeps, nowMs: number): MqttOutState {
  const { hub } = deps;
  const meters = hub.meters?.snapshot(nowMs) ?? {};
  const live = hub.live.snapshot();
  const decision = hub.lastDecision();
  const override = hub.activeOverride(nowMs);
  const evCurrentA: PerPhase = { L1: 0, L2: 0, L3: 0 };
  let evPowerW = 0;
  const evses: EvseStateOut[] = [];
  for (const model of hub.site.evses) {
    const slash = model.key.lastIndexOf('/');
    const stationId = model.key.slice(0, slash);
    const evseId = Number(model.key.slice(slash + 1));
    const state = live[model.key];
    const measured = state?.active ? (state.measuredCurrentA ?? []) : [];
    let powerW = 0;
    measured.slice(0, model.phaseRotation.length).forEach((a, i) => {
      const phase = model.phaseRotation[i];
      if (phase === undefined) return;
      evCurrentA[phase] += a;
      powerW += a * model.voltageV;
    });
    evPowerW += powerW;
    const limit = decision?.evses[model.key]?.limit;
    const energyWh = state?.active && state.transactionId !== undefined ? deps.sessionEnergyWh(stationId, state.transactionId) : undefined;
    evses.push({
      evseKey: model.key,
      stationId,
      evseId,
      status: deps.isConnected(stationId) ? (deps.connectorStatus(stationId, evseId) ?? 'Unknown') : 'Offline',
      offeredCurrentA: limit ? round(limit.maxCurrentA, 2) : null,
      drawnCurrentA: measured.length > 0 ? round(Math.max(...measured), 2) : null,
      powerW: round(powerW, 0),
      sessionEnergyWh: energyWh !== undefined ? round(energyWh, 0) : null,
      mode: hub.modeOf(model.key),
      limitSource: limit?.source ?? null,
      transactionId: state?.active ? (state.transactionId ?? null) : null,
      solarMode: deps.solarModeOf?.(model.key) ?? null,
      maxCurrentA: deps.maxCurrentAOf?.(model.key) ?? model.maxCurrentA,
      energyKWh: kWh(deps.evseRegisterWh?.(stationId, evseId)),
    });
  }
  const stationIds = [...new Set(evses.map((e) => e.stationId))];
  const stations = stationIds.map((stationId): StationStateOut => ({ stationId, online: deps.isConnected(stationId), ...deps.stationInfo?.(stationId) }));
  const totals = deps.siteEnergyWh?.();
  const grid = hub.site.meterRoles.gridMeterId !== undefined ? meters[hub.site.meterRoles.gridMeterId] : undefined;
  const pv = hub.site.meterRoles.pvMeterId !== undefined ? meters[hub.site.meterRoles.pvMeterId] : undefined;
  return {
    site: {
      gridPowerW: grid?.powerW !== undefined && !grid.stale ? round(grid.powerW, 0) : null,
      // A PV meter may read production as negative (import convention) or positive (inverter
      // convention): production is its magnitude, as in the dashboard and the solar strategy.
      pvPowerW: pv?.powerW !== undefined && !pv.stale ? round(Math.abs(pv.powerW), 0) : null,
      evPowerW: round(evPowerW, 0),
      evCurrentA: { L1: round(evCurrentA.L1, 2), L2: round(evCurrentA.L2, 2), L3: round(evCurrentA.L3, 2) },
      siteLimitW: override ? override.powerW : null,
      siteLimitSource: override ? override.source : null,
      staleMeters: Object.values(meters)
        .filter((m) => m.stale)
        .map((m) => m.meterId)
        .sort(),
      gridImportKWh: kWh(totals?.gridImport),
      gridExportKWh: kWh(totals?.gridExport),
      pvEnergyKWh: kWh(totals?.pv),
    },
    evses,
    stations,
  };
}

/** Wh as kWh to the Wh; null for an unknown value. */
function kWh(wh: number | null | undefined): number | null {
  return wh === null || wh === undefined ? null : round(wh / 1000, 3);
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
}
