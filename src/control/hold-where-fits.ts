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
 * safe estimate together with the increases granted in the same decision. Increases come first
 * (a start, an EV raised from below its minimum, also needs room for its first ramp, which shows
 * in the meter before its first report): where they and the holds do not fit together, holds are
 * released, the one meant to come down most first, until everything fits. An increase smaller
 * than `smallIncreaseA` moves no hold; it is cut back to what fits. Decreases for other reasons
 * (no EV, CSMS or strategy caps, failsafe) are never held, nor any decrease of an EVSE in a
 * group limit (its sum is capped by a budget this function does not see).
 */
import { evseVoltageV, gridPhases, overdrawnFor, pathToRoot, roomKeysOf, roomLeft } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';
import type { CalmInput } from './calm-input.js';
import { drain, EVSES_PER_STEP, type Steps } from '../energy/steps.js';

export interface HoldInput extends CalmInput {
  /** An increase smaller than this does not move a hold (the dispatcher would not send it alone), A. Default 1. */
  smallIncreaseA?: number;
  /**
   * EVSEs whose sum a group limit caps (a CSMS ChargingStationMaxProfile on a station, or in hub
   * mode on the site): the circuit budgets here do not see those limits, so these are never held.
   */
  notHeld?: ReadonlySet<string>;
  /**
   * The lowest cap on each EVSE that is not a circuit share (CSMS profiles, the operator, the
   * strategies), A: a hold never keeps more than it. A CSMS limit below what the EVSE holds is
   * kept at once even where the circuit would still allow the old offer.
   */
  capsA?: Readonly<Record<string, number>>;
}

const HOLDABLE = ['circuit:', 'fuse:', 'paused:', 'ev:draw'];

/** The offer the EVSE holds now (the last one sent), if any. */
function heldNow(live: EvseLiveState | undefined): number | undefined {
  const offers = live?.offers;
  return offers?.[offers.length - 1]?.limitA;
}

export function holdWhereFits(input: HoldInput): Record<string, CurrentLimit> {
  return drain(holdWhereFitsSteps(input));
}

/** `holdWhereFits` as steps (see steps.ts): the same result, with yields between its parts. */
export function* holdWhereFitsSteps(input: HoldInput): Steps<Record<string, CurrentLimit>> {
  let n = 0;
  // Copied at the first hold only: most decisions hold nothing.
  let withHolds: Record<string, CurrentLimit> | undefined;
  const holders: EvseModel[] = [];
  for (const e of input.evses) {
    if (++n % EVSES_PER_STEP === 0) yield 'holds: candidates';
    const limit = input.limits[e.key];
    const live = input.live[e.key];
    const offered = heldNow(live);
    const held = offered === undefined ? undefined : Math.min(offered, input.capsA?.[e.key] ?? Infinity);
    if (!limit || held === undefined || !live?.active || live.controllable === false || input.notHeld?.has(e.key)) continue;
    if (!(limit.maxCurrentA < held) || held > e.maxCurrentA || !HOLDABLE.some((p) => limit.source.startsWith(p))) continue;
    const why = held < (offered ?? held) ? `keeps ${held} A of ${offered} A (its cap)` : `keeps ${held} A`;
    withHolds ??= { ...input.limits };
    withHolds[e.key] = { maxCurrentA: held, source: 'hold', reason: `${why} (decided ${limit.maxCurrentA} A, ${limit.source}): everything still fits on the safe estimate` };
    holders.push(e);
  }
  if (!withHolds) return input.limits;
  const out = withHolds;

  // What each EVSE takes: its limit, and for a start granted now also the room of its first ramp
  // (which shows in the meter before its first report). Increases come before holds, except one
  // smaller than smallIncreaseA, which counts at what the EVSE holds (it gets what the holds
  // leave). Ramps of earlier raises not reported yet do not release holds: that room is kept for
  // new grants only (ramp-reserve.ts and the allocation).
  const smallA = input.smallIncreaseA ?? 1;
  const curOf = (e: EvseModel): number => heldNow(input.live[e.key]) ?? 0;
  const takesA = (e: EvseModel): number => {
    const a = out[e.key]?.maxCurrentA ?? 0;
    const cur = curOf(e);
    if (a <= cur || !input.live[e.key]?.active) return a;
    if (cur < e.minCurrentA) return a + (a - cur);
    return a - cur >= smallA ? a : cur;
  };
  const room = roomLeft(input.tree, input.evses, input.circuits, takesA);
  yield 'holds: room';

  // As few holds as it takes are released, the one meant to come down most first (releasing
  // only lowers, so this ends).
  const paths = new Map(holders.map((e) => [e.key, pathToRoot(input.tree, e.circuitId)]));
  for (;;) {
    let pick: EvseModel | undefined;
    let pickCutA = 0;
    for (const e of holders) {
      if (++n % EVSES_PER_STEP === 0) yield 'holds: releases';
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

  // The other increases get what the holds left: where they do not fit with them, the largest is
  // cut back by what is over (never below what it holds), until everything fits.
  const rising = input.evses.filter((e) => {
    const a = out[e.key]?.maxCurrentA ?? 0;
    const cur = curOf(e);
    return input.live[e.key]?.active === true && a > cur && cur >= e.minCurrentA;
  });
  if (rising.length === 0) return out;
  const after = roomLeft(input.tree, input.evses, input.circuits, (e) => out[e.key]?.maxCurrentA ?? 0);
  yield 'holds: room left';
  for (;;) {
    let pick: EvseModel | undefined;
    let pickA = 0;
    for (const e of rising) {
      if (++n % EVSES_PER_STEP === 0) yield 'holds: increases';
      const up = (out[e.key]?.maxCurrentA ?? 0) - curOf(e);
      if (up > 0 && overdrawnFor(input.tree, after, e) && (!pick || up > pickA)) {
        pick = e;
        pickA = up;
      }
    }
    if (!pick) break;
    const cur = curOf(pick);
    const a = out[pick.key]?.maxCurrentA ?? 0;
    const overA = Math.max(0, ...roomKeysOf(input.tree, pick).map((k) => -(after.phaseA.get(k) ?? 0)));
    const overW = Math.max(0, ...pathToRoot(input.tree, pick.circuitId).map((c) => -(after.powerW.get(c) ?? 0)));
    const cutA = Math.min(pickA, Math.max(overA, overW / (gridPhases(pick).length * evseVoltageV(pick))));
    const next = Math.max(cur, Math.floor((a - cutA) * 10 + 1e-7) / 10);
    const downA = a - next;
    out[pick.key] = next === cur
      ? { maxCurrentA: cur, source: 'hold', reason: `keeps ${cur} A: the increase to ${input.limits[pick.key]?.maxCurrentA} A waits for room the holds leave` }
      : { maxCurrentA: next, source: 'ramp-reserve', reason: `increase to ${input.limits[pick.key]?.maxCurrentA} A staged: room left by the holds` };
    for (const k of roomKeysOf(input.tree, pick)) if (after.phaseA.has(k)) after.phaseA.set(k, (after.phaseA.get(k) ?? 0) + downA);
    const w = downA * gridPhases(pick).length * evseVoltageV(pick);
    for (const c of pathToRoot(input.tree, pick.circuitId)) if (after.powerW.has(c)) after.powerW.set(c, (after.powerW.get(c) ?? 0) + w);
  }
  return out;
}
