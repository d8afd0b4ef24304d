/**
 * No decreases the site does not need. Pure.
 *
 * A fresh allocation re-shares the circuits at every decision, and right after offers changed
 * the non-EV estimate, being safe, counts every transition the chargers have not reported yet
 * against the building (draw-at.ts): fair shares move by fractions of an amp, and EVSEs at the
 * end of the rotation order are paused on a dip and resumed when it clears. Each of those is a
 * profile write, and each write starts another unreported transition: the offers cycle.
 *
 * So an EVSE the allocation lowers for a circuit share, the rotation or its under-draw keeps
 * what it holds, as long as every circuit phase (and power limit) on its way still fits on the
 * safe estimate together with the starts granted in the same decision (and the room of their
 * first ramps). Starts (an EV raised from below its minimum: a first offer, a turn in the rotation)
 * come first: where they and the holds do not fit together, holds are released, the one meant
 * to come down most first, until everything fits. Other increases only get what the holds leave
 * (the caller stages them again afterwards). Decreases for other reasons (no EV, CSMS or
 * strategy caps, failsafe) are never held.
 */
import { evseVoltageV, gridPhases, overdrawnFor, pathToRoot, roomKeysOf, roomLeft, type CircuitBudget, type CircuitTree } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';

export interface HoldInput {
  nowMs: number;
  tree: CircuitTree;
  evses: readonly EvseModel[];
  live: Record<string, EvseLiveState>;
  circuits: readonly CircuitBudget[];
  /** The decided limits, increases already staged (ramp-reserve.ts). */
  limits: Record<string, CurrentLimit>;
  followS: number;
}

const HOLDABLE = ['circuit:', 'fuse:', 'paused:', 'ev:draw'];

/** The offer the EVSE holds now (the last one sent), if any. */
function heldNow(live: EvseLiveState | undefined): number | undefined {
  const offers = live?.offers;
  return offers?.[offers.length - 1]?.limitA;
}

export function holdWhereFits(input: HoldInput): Record<string, CurrentLimit> {
  const out: Record<string, CurrentLimit> = { ...input.limits };
  const holders: EvseModel[] = [];
  for (const e of input.evses) {
    const limit = input.limits[e.key];
    const live = input.live[e.key];
    const held = heldNow(live);
    if (!limit || held === undefined || !live?.active || live.controllable === false) continue;
    if (!(limit.maxCurrentA < held) || held > e.maxCurrentA || !HOLDABLE.some((p) => limit.source.startsWith(p))) continue;
    out[e.key] = { maxCurrentA: held, source: 'hold', reason: `keeps ${held} A (decided ${limit.maxCurrentA} A, ${limit.source}): everything still fits on the safe estimate` };
    holders.push(e);
  }
  if (holders.length === 0) return input.limits;

  // What each EVSE takes: its limit, and for a start granted now the room of its first ramp
  // (which shows in the meter before its first report). Other increases count at what the EVSE
  // holds: they get what the holds leave (staged afterwards), so they never take a hold's room.
  // Ramps of earlier raises that are not reported yet do not release holds: they are kept free
  // for new grants only (ramp-reserve.ts and the allocation).
  const curOf = (e: EvseModel): number => heldNow(input.live[e.key]) ?? 0;
  const takesA = (e: EvseModel): number => {
    const a = out[e.key]?.maxCurrentA ?? 0;
    const cur = curOf(e);
    if (a <= cur || !input.live[e.key]?.active) return a;
    return cur < e.minCurrentA ? a + (a - cur) : cur;
  };
  const room = roomLeft(input.tree, input.evses, input.circuits, takesA);

  // As few holds as it takes are released, the one meant to come down most first (releasing
  // only lowers, so this ends).
  const paths = new Map(holders.map((e) => [e.key, pathToRoot(input.tree, e.circuitId)]));
  for (;;) {
    let pick: EvseModel | undefined;
    let pickCutA = 0;
    for (const e of holders) {
      if (out[e.key]?.source !== 'hold' || !overdrawnFor(input.tree, room, e)) continue;
      const cutA = (out[e.key]?.maxCurrentA ?? 0) - (input.limits[e.key]?.maxCurrentA ?? 0);
      if (!pick || cutA > pickCutA) {
        pick = e;
        pickCutA = cutA;
      }
    }
    if (!pick) break;
    out[pick.key] = input.limits[pick.key] as CurrentLimit;
    for (const k of roomKeysOf(input.tree, pick)) if (room.phaseA.has(k)) room.phaseA.set(k, (room.phaseA.get(k) ?? 0) + pickCutA);
    const w = pickCutA * gridPhases(pick).length * evseVoltageV(pick);
    for (const c of paths.get(pick.key) ?? []) if (room.powerW.has(c)) room.powerW.set(c, (room.powerW.get(c) ?? 0) + w);
  }
  return out;
}
