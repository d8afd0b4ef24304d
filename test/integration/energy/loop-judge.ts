/**
 * Judges a simulated control-loop run from the chargers' side (what they were written, what
 * their EVs really drew, what the building drew), for the black-box loop test. Pure functions
 * over the run's records; no hub internals.
 */
import type { Phase } from '../../../src/energy/phases.js';
import type { BuildingLoad } from '../sim/building-load.js';
import type { FollowCharger } from '../sim/follow-charger.js';

/** What the judge reads of a charger (a FollowCharger, or a stand-in in the judge's own tests). */
export type JudgedCharger = Pick<FollowCharger, 'id' | 'spec' | 'writes' | 'plugMs' | 'txStartMs' | 'offeredAt' | 'drawAt' | 'gridDrawAt' | 'drawChangeTimes'>;

export const PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];
/** Loads are compared with this tolerance, A (the hub rounds limits to 0.1 A). */
const EPS_A = 0.01;

/** A circuit as the judge sees it: its limit, whether the building load flows through it, the chargers below it. */
export interface JudgedCircuit {
  id: string;
  limitA: number;
  carriesBuilding: boolean;
  chargers: JudgedCharger[];
}

export interface OverloadEpisode {
  circuit: string;
  phase: Phase;
  fromMs: number;
  toMs: number;
  peakOverA: number;
  hubCaused: boolean;
}

export interface OverloadReport {
  /** Seconds over a circuit phase's limit caused by a hub write (see hubCausedOverloads). */
  hubCausedS: number;
  /** Seconds over a limit whatever the cause (a building step, the time EVs take to follow). */
  anyS: number;
  episodes: OverloadEpisode[];
}

/**
 * Overloads of every circuit phase over [fromMs, toMs), from the true loads: the building's load
 * (on circuits it flows through) plus what each EV really draws (it follows offers late). Loads
 * are piecewise constant between the instants at which a draw or the building changed, so the
 * seconds are exact.
 *
 * HUB-CAUSED. An instant t at which a circuit phase is over its limit is hub-caused when
 * (1) the last instant u <= t at which that circuit phase's load rose is one at which an EV's draw
 *     rose (the EV following a higher offer the hub wrote, or the base profile once a lease ran out),
 *     not one at which only the building stepped up; and
 * (2) the phase would be over its limit at t even with the building load it had before u and at
 *     every instant at which the hub changed the offers those EVs followed at u: EV load at t +
 *     the least of those building loads > limit. A hub write is judged against the building load
 *     the hub could know when it wrote it: an increase written before a building step that lands
 *     after it (the EV follows late) is the building's overload, not the hub's.
 * Otherwise the overload is the building's (a step up the hub has to answer with decreases, which
 * the EVs also follow late).
 */
export function judgeOverloads(circuits: JudgedCircuit[], building: BuildingLoad, fromMs: number, toMs: number): OverloadReport {
  const chargers = [...new Set(circuits.flatMap((c) => c.chargers))];
  const instants = [...new Set([fromMs, ...building.changeTimes(), ...chargers.flatMap((c) => c.drawChangeTimes())])]
    .filter((t) => t >= fromMs && t < toMs)
    .sort((a, b) => a - b);
  const episodes: OverloadEpisode[] = [];
  let hubCausedMs = 0;
  let anyMs = 0;
  for (const circuit of circuits) {
    for (const phase of PHASES) {
      const onPhase = circuit.chargers.filter((c) => c.spec.rotation.includes(phase));
      const buildingAt = (t: number): number => (circuit.carriesBuilding ? building.at(t)[phase] : 0);
      const evAt = (t: number): number => onPhase.reduce((sum, c) => sum + c.gridDrawAt(t)[phase], 0);
      let lastRise: { evRose: boolean; refBuildingA: number } | undefined;
      let prev: { t: number; b: number; e: number } | undefined;
      let open: OverloadEpisode | undefined;
      for (let i = 0; i < instants.length; i++) {
        const t = instants[i] as number;
        const end = instants[i + 1] ?? toMs;
        const b = buildingAt(t);
        const e = evAt(t);
        if (prev && b + e > prev.b + prev.e + EPS_A) {
          const risers = onPhase.filter((c) => c.gridDrawAt(t)[phase] > c.gridDrawAt(prev!.t)[phase] + EPS_A);
          const offerTimes = risers.map((c) => t - c.spec.followDelayS * 1000);
          lastRise = { evRose: risers.length > 0, refBuildingA: Math.min(prev.b, ...offerTimes.map(buildingAt)) };
        }
        prev = { t, b, e };
        const overA = b + e - circuit.limitA;
        const over = overA > EPS_A;
        const hubCaused = over && lastRise !== undefined && lastRise.evRose && e + lastRise.refBuildingA - circuit.limitA > EPS_A;
        if (over) {
          anyMs += end - t;
          if (hubCaused) hubCausedMs += end - t;
        }
        if (open && (!over || open.hubCaused !== hubCaused)) {
          episodes.push(open);
          open = undefined;
        }
        if (over) {
          if (!open) open = { circuit: circuit.id, phase, fromMs: t, toMs: end, peakOverA: overA, hubCaused };
          open.toMs = end;
          open.peakOverA = Math.max(open.peakOverA, overA);
        }
      }
      if (open) episodes.push(open);
    }
  }
  return { hubCausedS: hubCausedMs / 1000, anyS: anyMs / 1000, episodes };
}

/** Profile writes each charger got in [fromMs, toMs). */
export function writesIn(chargers: JudgedCharger[], fromMs: number, toMs: number): Record<string, number> {
  return Object.fromEntries(chargers.map((c) => [c.id, c.writes.filter((w) => w.atMs >= fromMs && w.atMs < toMs).length]));
}

export interface Clawback {
  charger: string;
  increaseAtMs: number;
  fromA: number;
  toA: number;
  decreaseAtMs: number;
  downToA: number;
}

/**
 * Clawed-back increases: a write that raised a charger's offer, followed on the same charger by a
 * write that lowered it again within followDelayS + reportPeriodS (the time until the charger's
 * own report can show the EV followed: before that, only the grid meter has seen the new draw),
 * with nothing in between that calls for less (no building step, no EV plugging in).
 */
export function clawbacks(chargers: JudgedCharger[], exogenousMs: number[]): Clawback[] {
  const out: Clawback[] = [];
  for (const c of chargers) {
    const windowMs = (c.spec.followDelayS + c.spec.reportPeriodS) * 1000;
    c.writes.forEach((w, i) => {
      if (!(w.offeredAfterA > w.offeredBeforeA + EPS_A)) return;
      const down = c.writes.slice(i + 1).find((x) => x.atMs <= w.atMs + windowMs && x.offeredAfterA < x.offeredBeforeA - EPS_A);
      if (!down) return;
      if (exogenousMs.some((t) => t > w.atMs && t <= down.atMs)) return;
      out.push({ charger: c.id, increaseAtMs: w.atMs, fromA: w.offeredBeforeA, toA: w.offeredAfterA, decreaseAtMs: down.atMs, downToA: down.offeredAfterA });
    });
  }
  return out;
}

/** When the charger was first offered at least its EV's minimum after the plug-in, ms (undefined: never). */
export function firstOfferMs(c: JudgedCharger): number | undefined {
  const plugMs = c.plugMs;
  if (plugMs === undefined) return undefined;
  const minA = c.spec.evMinA ?? 6;
  if (c.offeredAt(plugMs) >= minA) return plugMs;
  return c.writes.find((w) => w.atMs >= plugMs && w.offeredAfterA >= minA)?.atMs;
}

/**
 * Whether the circuits on a charger's path had room for its EV's minimum when it plugged in: on
 * every grid phase it uses, limit - marginA - building - what every other EV in a transaction
 * draws or may draw (the larger of its offer and its draw; an EV still waiting for its minimum
 * counts at its minimum, since it competes for the same room) >= the minimum.
 */
export function capacityAllows(c: JudgedCharger, path: JudgedCircuit[], building: BuildingLoad, marginA: number, tMs: number): boolean {
  const minA = c.spec.evMinA ?? 6;
  return path.every((circuit) =>
    c.spec.rotation.every((phase) => {
      let usedA = circuit.carriesBuilding ? building.at(tMs)[phase] : 0;
      for (const o of circuit.chargers) {
        if (o === c || o.txStartMs === undefined || o.txStartMs > tMs || !o.spec.rotation.includes(phase)) continue;
        const offeredA = o.offeredAt(tMs);
        usedA += Math.max(offeredA, o.drawAt(tMs), offeredA < (o.spec.evMinA ?? 6) ? (o.spec.evMinA ?? 6) : 0);
      }
      return circuit.limitA - marginA - usedA >= minA;
    }),
  );
}
