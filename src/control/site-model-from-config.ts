import type { SiteConfig } from '../config/schema.js';
import type { Phase, PerPhase } from '../energy/phases.js';
import type { CircuitNode, EvseModel } from '../energy/site-model.js';
import type { SiteSnapshot } from '../energy/strategy.js';
import { evseKeyOf } from './evse-key.js';

/** Id of the root circuit made up when the config has no `circuits`. */
export const IMPLICIT_ROOT_ID = 'site';
/**
 * Limit per phase of the implicit root, A. Large enough never to bind (no real connection
 * comes near it), finite so that the arithmetic on it stays ordinary.
 */
export const IMPLICIT_ROOT_MAX_CURRENT_A = 100_000;

export interface SiteModel {
  circuits: CircuitNode[];
  evses: EvseModel[];
  meterRoles: SiteSnapshot['meterRoles'];
  /**
   * Worst-case non-EV load per circuit known from the config, A per phase (the basis of base
   * shares). Only the implicit root has one: 0, since with no limit configured there is
   * nothing to protect and every EVSE may keep its max when the hub is gone.
   */
  worstCaseNonEvA: Record<string, Partial<PerPhase>>;
  /** True when the config had no circuits and the root `site` was made up. */
  implicitRoot: boolean;
}

const ROTATION_3P: Phase[] = ['L1', 'L2', 'L3'];
const ROTATION_1P: Phase[] = ['L1'];

/**
 * The circuit tree, the EVSEs (keys `<stationId>/<evseId>`) and the meter roles of a parsed
 * site config. Without circuits, every EVSE hangs on an implicit root `site` with a very large
 * limit (IMPLICIT_ROOT_MAX_CURRENT_A per phase), so that everything still works and only the
 * EVSEs' own limits, strategies and the CSMS bind. An EVSE without `circuit` hangs on the
 * (first) root. Phase rotation defaults to [L1, L2, L3] for 3-phase and [L1] for 1-phase EVSEs.
 */
export function siteModelFromConfig(config: SiteConfig): SiteModel {
  const implicitRoot = config.circuits.length === 0;
  const circuits: CircuitNode[] = implicitRoot
    ? [{ id: IMPLICIT_ROOT_ID, maxCurrentA: perPhaseOf(IMPLICIT_ROOT_MAX_CURRENT_A) }]
    : config.circuits.map((c) => {
        const node: CircuitNode = { id: c.id, maxCurrentA: perPhaseOf(c.maxCurrentA) };
        if (c.parent !== undefined) node.parentId = c.parent;
        if (c.maxPowerW !== undefined) node.maxPowerW = c.maxPowerW;
        if (c.meter !== undefined) node.meterId = c.meter;
        return node;
      });
  const rootId = circuits.find((c) => c.parentId === undefined)?.id ?? IMPLICIT_ROOT_ID;
  const voltageV = config.site.voltageV;

  const evses: EvseModel[] = config.stations.flatMap((station) => evseModelsOf(station, rootId, voltageV));

  const meterRoles: SiteSnapshot['meterRoles'] = {};
  for (const m of config.meters) {
    if (m.role === 'grid') meterRoles.gridMeterId ??= m.id;
    else if (m.role === 'pv') meterRoles.pvMeterId ??= m.id;
    else if (m.role === 'battery') meterRoles.batteryMeterId ??= m.id;
  }

  const worstCaseNonEvA: Record<string, Partial<PerPhase>> = implicitRoot ? { [IMPLICIT_ROOT_ID]: perPhaseOf(0) } : {};
  for (const c of config.circuits) if (c.worstCaseNonEvA !== undefined) worstCaseNonEvA[c.id] = perPhaseOf(c.worstCaseNonEvA);
  return { circuits, evses, meterRoles, worstCaseNonEvA, implicitRoot };
}

/** The EVSE models of one station (an EVSE without `circuit` hangs on `rootId`). */
export function evseModelsOf(station: SiteConfig['stations'][number], rootId: string, voltageV: number): EvseModel[] {
  return station.evses.map((e) => {
    const model: EvseModel = {
      key: evseKeyOf(station.id, e.id),
      circuitId: e.circuit ?? rootId,
      phases: e.phases,
      phaseRotation: e.phaseRotation ? [...e.phaseRotation] : [...(e.phases === 1 ? ROTATION_1P : ROTATION_3P)],
      minCurrentA: e.minCurrentA,
      maxCurrentA: e.maxCurrentA,
      priority: e.priority,
      voltageV,
      bidirectional: e.bidirectional,
    };
    if (e.maxPowerW !== undefined) model.maxPowerW = e.maxPowerW;
    return model;
  });
}

function perPhaseOf(v: number | readonly [number, number, number]): PerPhase {
  if (typeof v === 'number') return { L1: v, L2: v, L3: v };
  return { L1: v[0], L2: v[1], L3: v[2] };
}
