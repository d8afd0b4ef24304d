import { PHASES, type PerPhase } from '../../src/energy/phases.js';
import type { SiteSnapshot } from '../../src/energy/strategy.js';
import { DEFAULT_VOLTAGE_V, gridPhases, subtreeOf, type CircuitTree } from '../../src/energy/allocation/index.js';
import { drawLowerBoundA } from '../../src/energy/draw/draw-at.js';
import type { EvseLiveState } from '../../src/energy/site-model.js';

/**
 * How the EVs' draw is taken off a meter reading:
 * - `aligned` (default): each EV's draw at the reading's own time, bounded from below from its
 *   timestamped reports and the hub's offers (energy/draw/draw-at.ts), so the non-EV load is
 *   never underestimated when reports and readings interleave;
 * - `latest`: each EV's latest report whatever its time (the behaviour before 0.x; kept as a
 *   switch for benchmarks).
 */
export type NonEvEstimator = 'aligned' | 'latest';

export interface SiteLoadParams {
  worstCaseNonEvA?: Record<string, Partial<PerPhase>>;
  nominalVoltageV?: number;
  nonEvEstimator?: NonEvEstimator;
  /** Longest time an EV takes to follow a lower limit, s (default 30). */
  followS?: number;
}

export const DEFAULT_FOLLOW_S = 30;

export interface SiteLoad {
  /** Non-EV load per circuit, inclusive of sub-circuits, A per phase. */
  nonEvLoadA: Record<string, Partial<PerPhase>>;
  /** Circuits whose meter is stale, missing or unusable, with why. */
  stale: Record<string, string>;
}

/**
 * What the circuit meters say about non-EV load: a circuit's meter (the grid meter for a root
 * without its own) minus the currents of every EV below it at the reading's time (see
 * NonEvEstimator), per grid phase. An EV
 * without a measurement counts as drawing nothing, so its draw stays in the non-EV load (safe,
 * if pessimistic). A phase without a current reading takes the whole non-EV power on that
 * phase (power / voltage; the load could all be on one phase). A circuit without a meter uses
 * its configured worst case if any (otherwise its sub-circuits' loads). A missing, stale or
 * empty reading marks the circuit stale.
 */
export function siteLoad(
  snapshot: SiteSnapshot,
  tree: CircuitTree,
  params: SiteLoadParams,
): SiteLoad {
  const voltageV = params.nominalVoltageV ?? DEFAULT_VOLTAGE_V;
  const nonEvLoadA: Record<string, Partial<PerPhase>> = {};
  const stale: Record<string, string> = {};
  const evsesByCircuit = new Map<string, typeof snapshot.evses>();
  for (const e of snapshot.evses) {
    const list = evsesByCircuit.get(e.circuitId) ?? [];
    list.push(e);
    evsesByCircuit.set(e.circuitId, list);
  }

  for (const c of tree.topDown) {
    const isRoot = tree.parentOf.get(c.id) === undefined;
    const meterId = c.meterId ?? (isRoot ? snapshot.meterRoles.gridMeterId : undefined);
    if (meterId === undefined) {
      const worst = params.worstCaseNonEvA?.[c.id];
      if (worst) nonEvLoadA[c.id] = worst;
      continue;
    }
    const reading = snapshot.meters[meterId];
    if (!reading) {
      stale[c.id] = `meter ${meterId} has no reading`;
      continue;
    }
    if (reading.stale) {
      // A meter never heard from is in the snapshot, stale and without values: say so, not its "age".
      const empty = reading.powerW === undefined && reading.currentA === undefined && reading.energyWh === undefined && reading.frequencyHz === undefined;
      stale[c.id] = empty ? `meter ${meterId} has not reported yet` : `meter ${meterId} stale (${Math.round(reading.ageS)} s old)`;
      continue;
    }
    const evA: PerPhase = { L1: 0, L2: 0, L3: 0 };
    for (const id of subtreeOf(tree, c.id)) {
      for (const e of evsesByCircuit.get(id) ?? []) {
        const m = evDrawA(snapshot.live[e.key], reading.timeMs, params);
        if (!m) continue;
        gridPhases(e).forEach((p, i) => {
          const v = m[i];
          if (v !== undefined && Number.isFinite(v) && v > 0) evA[p] += v;
        });
      }
    }
    const load: Partial<PerPhase> = {};
    let usable = true;
    for (const p of PHASES) {
      const a = reading.currentA?.[p];
      if (a !== undefined && Number.isFinite(a)) load[p] = a - evA[p];
      else if (reading.powerW !== undefined && Number.isFinite(reading.powerW)) {
        load[p] = reading.powerW / voltageV - (evA.L1 + evA.L2 + evA.L3);
      } else usable = false;
    }
    if (!usable) stale[c.id] = `meter ${meterId} reads neither phase currents nor power`;
    else nonEvLoadA[c.id] = load;
  }
  return { nonEvLoadA, stale };
}

/** What an EV drew at a meter reading's time, A per EVSE phase, as the estimator takes it. */
function evDrawA(live: EvseLiveState | undefined, atMs: number, params: SiteLoadParams): readonly number[] | undefined {
  if (!live) return undefined;
  if ((params.nonEvEstimator ?? 'aligned') === 'latest' || !live.samples) return live.measuredCurrentA;
  return drawLowerBoundA({ samples: live.samples, offers: live.offers ?? [] }, atMs, params.followS ?? DEFAULT_FOLLOW_S);
}
