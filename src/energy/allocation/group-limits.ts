import type { CurrentLimit, LimitSource } from '../limit.js';
import type { Phase } from '../phases.js';
import type { EvseModel } from '../site-model.js';
import { evseVoltageV, gridPhases, type CircuitConstraint, type ConstraintSet, type Term } from './constraints.js';

/**
 * A limit on the SUM of a group of EVSEs' currents, with no non-EV load and no margin: what an
 * EVSE group may draw together, not what its circuit can carry. A CSMS's
 * ChargingStationMaxProfile on evse 0 is one (hub mode: the whole site; proxy: one station).
 * Give maxCurrentA (A on each grid phase, summed over the group's EVSEs on that phase),
 * maxPowerW (W in total, each EVSE counting phases x voltage per A), or both.
 */
export interface EvseGroupLimit {
  /** Names the group in budgets and reasons (e.g. `csms-site`). */
  id: string;
  evseKeys: readonly string[];
  maxCurrentA?: number;
  maxPowerW?: number;
  source: LimitSource;
}

const PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];

/**
 * Appends the groups' constraints to `set` (in place) and returns a function giving an EVSE's
 * terms on them (empty for an EVSE in no group). Each group gets one constraint per grid phase
 * (maxCurrentA) and one in power (maxPowerW); `circuitId` is `group:<id>`.
 */
export function appendGroupConstraints(
  set: ConstraintSet, groups: readonly EvseGroupLimit[] | undefined,
): (evse: EvseModel) => Term[] {
  const byEvse = new Map<string, { group: EvseGroupLimit; phaseK?: Record<Phase, number>; powerK?: number }[]>();
  for (const group of groups ?? []) {
    const add = (kind: Phase | 'power', limit: number): number => {
      const k = set.constraints.length;
      const c: CircuitConstraint = {
        circuitId: `group:${group.id}`, kind, limit, nonEv: 0, margin: 0, available: Math.max(0, limit), source: group.source,
      };
      set.constraints.push(c);
      return k;
    };
    const entry: { group: EvseGroupLimit; phaseK?: Record<Phase, number>; powerK?: number } = { group };
    if (group.maxCurrentA !== undefined && Number.isFinite(group.maxCurrentA)) {
      const a = group.maxCurrentA;
      entry.phaseK = { L1: add('L1', a), L2: add('L2', a), L3: add('L3', a) };
    }
    if (group.maxPowerW !== undefined && Number.isFinite(group.maxPowerW)) entry.powerK = add('power', group.maxPowerW);
    for (const key of new Set(group.evseKeys)) byEvse.set(key, [...(byEvse.get(key) ?? []), entry]);
  }
  return (evse) => {
    const entries = byEvse.get(evse.key);
    if (!entries) return [];
    const phases = gridPhases(evse);
    const terms: Term[] = [];
    for (const { phaseK, powerK } of entries) {
      if (phaseK) {
        for (const p of PHASES) {
          const count = phases.filter((q) => q === p).length;
          if (count > 0) terms.push({ k: phaseK[p], coefficient: count });
        }
      }
      if (powerK !== undefined) terms.push({ k: powerK, coefficient: phases.length * evseVoltageV(evse) });
    }
    return terms;
  };
}

/** An EVSE's terms: its circuits' (shared, read-only) plus its groups' (a new array when it has any). */
export function withGroupTerms(circuitTerms: Term[], groupTerms: Term[]): Term[] {
  return groupTerms.length === 0 ? circuitTerms : [...circuitTerms, ...groupTerms];
}

/** What a group's members use: A on each grid phase, and W in total. */
function groupUse(members: readonly EvseModel[], currentA: (e: EvseModel) => number): { perPhase: Record<Phase, number>; powerW: number } {
  const perPhase: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
  let powerW = 0;
  for (const e of members) {
    const a = Math.max(0, currentA(e));
    const phases = gridPhases(e);
    for (const p of phases) perPhase[p] += a;
    powerW += a * phases.length * evseVoltageV(e);
  }
  return { perPhase, powerW };
}

function fits(group: EvseGroupLimit, use: { perPhase: Record<Phase, number>; powerW: number }): boolean {
  const eps = 1e-9;
  const maxA = group.maxCurrentA;
  if (maxA !== undefined && PHASES.some((p) => use.perPhase[p] > maxA + eps)) return false;
  return group.maxPowerW === undefined || use.powerW <= group.maxPowerW + eps;
}

/**
 * Base shares (what holds when the hub is gone) brought within the group limits: where a group's
 * members together would exceed its limit (on a phase or in power), each member's share is
 * scaled down by the same factor, rounded down to 0.1 A; one that falls below the EVSE's minimum
 * becomes 0, and such EVSEs are then put back at their minimum, highest priority first, where
 * that still fits. Pure; shares of EVSEs in no binding group are returned as they are.
 */
export function fitBaseSharesToGroups(
  shares: Record<string, CurrentLimit>, groups: readonly EvseGroupLimit[], evses: readonly EvseModel[],
): Record<string, CurrentLimit> {
  if (groups.length === 0) return shares;
  const out = { ...shares };
  for (const group of groups) {
    const members = evses.filter((e) => group.evseKeys.includes(e.key));
    const valueOf = (e: EvseModel): number => out[e.key]?.maxCurrentA ?? 0;
    const use = groupUse(members, valueOf);
    let factor = 1;
    if (group.maxCurrentA !== undefined) for (const p of PHASES) if (use.perPhase[p] > group.maxCurrentA) factor = Math.min(factor, Math.max(0, group.maxCurrentA) / use.perPhase[p]);
    if (group.maxPowerW !== undefined && use.powerW > group.maxPowerW) factor = Math.min(factor, Math.max(0, group.maxPowerW) / use.powerW);
    if (factor >= 1) continue;
    const reason = `base share scaled by ${Math.round(factor * 1000) / 1000} to fit ${group.source} on the sum of ${members.length} EVSEs`;
    const pushedOut: EvseModel[] = [];
    for (const e of members) {
      const share = out[e.key];
      if (!share) continue;
      const scaled = Math.floor(share.maxCurrentA * factor * 10 + 1e-9) / 10;
      const below = scaled < e.minCurrentA;
      if (below && share.maxCurrentA >= e.minCurrentA) pushedOut.push(e);
      out[e.key] = { maxCurrentA: below ? 0 : scaled, source: group.source, reason };
    }
    pushedOut.sort((a, b) => b.priority - a.priority || (a.key < b.key ? -1 : 1));
    for (const e of pushedOut) {
      const trial = groupUse(members, (m) => (m.key === e.key ? e.minCurrentA : valueOf(m)));
      if (!fits(group, trial)) continue;
      out[e.key] = { maxCurrentA: e.minCurrentA, source: group.source, reason: `${reason}; kept at its minimum where that fits` };
    }
  }
  return out;
}
