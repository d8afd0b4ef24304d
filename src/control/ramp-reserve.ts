/**
 * Increases that are not clawed back. Pure.
 *
 * After an increase the EV ramps up before its charger reports it (chargers report every 1-10 s,
 * the grid meter every second): for a while the meter shows the new EV load while the EV draw
 * taken off it (draw-at.ts, a lower bound) does not, so the non-EV load looks higher by the ramp.
 * Treating that rise as real is what keeps the estimate safe, but if the increase used all the
 * room, the next decision must take it back: the oscillation seen with 10 s reports.
 *
 * So an increase is only granted as far as the room also holds the ramps that may still show up
 * as non-EV load: on every circuit and grid phase, the limits plus every unconfirmed ramp (an
 * offer above the EV's last report, until a report shows it reached the offer or followS passed)
 * stay within what is available. Increases are scaled down to fit (decreases and holds are never
 * touched, so this only ever lowers limits the guard already checked); what is left is granted
 * once the chargers' reports confirm the ramps.
 */
import { gridPhases, roomKeysOf, roomLeft } from '../energy/allocation/index.js';
import type { CurrentLimit } from '../energy/limit.js';
import type { Phase } from '../energy/phases.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';
import type { CalmInput } from './calm-input.js';
import { drain, EVSES_PER_STEP, type Steps } from '../energy/steps.js';

export interface RampReserveInput extends CalmInput {
  /** A report this close to the offer counts as having reached it, A. */
  reachedToleranceA?: number;
  /**
   * Every EVSE's rampStateOf for this input (its live state, nowMs, followS, reachedToleranceA),
   * when the caller computed them already (a decision needs them three times); absent: computed here.
   */
  rampStates?: ReadonlyMap<string, RampState | undefined>;
}

interface Row {
  evse: EvseModel;
  phases: readonly Phase[];
  /** The circuit-phase keys it loads (roomKeysOf). */
  keys: readonly string[];
  /** What the EVSE holds now, and the least it drew at its last report per phase. */
  curA: number;
  loA: number[];
  unconfirmed: boolean;
  targetA: number;
}

/** Where an EVSE's last raise stands: the offer it holds, what its last report since shows, and whether the ramp is still unreported. */
export interface RampState {
  /** The offer in force (the last one sent), A. */
  curA: number;
  /** Per EVSE phase, the least it drew at its last report after the last raise (0 without one), A. */
  loA: number[];
  /**
   * The raise is not confirmed yet: no report since shows the EV at its offer (within the
   * tolerance) and followS has not passed. A report at or below the offer after that does not
   * leave a margin: the ramp is only pending while unconfirmed.
   */
  unconfirmed: boolean;
}

/** The ramp state of an active, controllable EVSE the hub made offers to; undefined otherwise. */
export function rampStateOf(evse: EvseModel, live: EvseLiveState | undefined, nowMs: number, followS: number, reachedToleranceA = 1): RampState | undefined {
  const offers = live?.offers;
  const current = offers?.[offers.length - 1];
  if (!live || !offers || !current || !live.active || live.controllable === false) return undefined;
  const samples = live.samples ?? [];
  const last = samples[samples.length - 1];
  const raisedMs = lastRaiseMs(offers);
  const n = gridPhases(evse).length;
  const loA = Array.from({ length: n }, (_, j) => (last && last.timeMs >= (raisedMs ?? -Infinity) ? Math.max(0, last.currentA[j] ?? 0) : 0));
  const reached = last !== undefined && raisedMs !== undefined && last.timeMs >= raisedMs && Math.min(...loA) >= current.limitA - reachedToleranceA;
  const unconfirmed = raisedMs !== undefined && !reached && nowMs < raisedMs + followS * 1000 && (!last || last.timeMs < raisedMs + followS * 1000);
  return { curA: current.limitA, loA, unconfirmed };
}

const NO_PENDING_A: readonly number[] = Object.freeze([]);

/** Per EVSE phase, the part of its offer an unconfirmed raise may still add to the meter before a report shows it, A. */
export function pendingRampA(state: RampState | undefined): readonly number[] {
  if (!state?.unconfirmed) return NO_PENDING_A;
  return state.loA.map((lo) => Math.max(0, state.curA - lo));
}

/** The limits with increases scaled down where the ramps they start would not fit; unchanged keys keep their object. */
export function reserveRamps(input: RampReserveInput): Record<string, CurrentLimit> {
  return drain(reserveRampsSteps(input));
}

/** `reserveRamps` as steps (see steps.ts): the same result, with yields between its parts. */
export function* reserveRampsSteps(input: RampReserveInput): Steps<Record<string, CurrentLimit>> {
  let n = 0;
  const rows: Row[] = [];
  for (const evse of input.evses) {
    if (++n % EVSES_PER_STEP === 0) yield 'ramp reserve: ramps';
    const limit = input.limits[evse.key];
    const st = input.rampStates ? input.rampStates.get(evse.key) : rampStateOf(evse, input.live[evse.key], input.nowMs, input.followS, input.reachedToleranceA);
    if (!limit || !st) continue;
    rows.push({ evse, phases: gridPhases(evse), keys: roomKeysOf(input.tree, evse), curA: st.curA, loA: st.loA, unconfirmed: st.unconfirmed, targetA: limit.maxCurrentA });
  }

  const rising = rows.filter((r) => r.targetA > r.curA);
  // Only increases are staged: without one there is nothing to do (and no room to compute).
  if (rising.length === 0) return input.limits;

  // Room per circuit and phase left for twice the increases (the increase and the ramp it starts).
  const rowsByKey = new Map(rows.map((r) => [r.evse.key, r]));
  const room = roomLeft(input.tree, input.evses, input.circuits, (evse, j) => {
    const r = rowsByKey.get(evse.key);
    if (!r) return input.limits[evse.key]?.maxCurrentA ?? 0;
    const held = Math.min(r.targetA, r.curA);
    const pending = r.unconfirmed ? Math.max(0, held - (r.loA[j] ?? 0)) : 0;
    return held + pending;
  }).phaseA;
  yield 'ramp reserve: room';
  const keysOf = (r: Row): readonly string[] => r.keys;
  const roomFor = (r: Row): number => Math.min(...keysOf(r).map((k) => room.get(k) ?? Infinity));
  const take = (r: Row, a: number): void => {
    for (const k of keysOf(r)) if (room.has(k)) room.set(k, (room.get(k) ?? 0) - 2 * a);
  };

  // Copied at the first staged increase: most decisions stage none.
  let out: Record<string, CurrentLimit> = input.limits;
  const staged = (r: Row, a: number): void => {
    if (a >= r.targetA) return;
    if (out === input.limits) out = { ...input.limits };
    out[r.evse.key] = { maxCurrentA: a, source: 'ramp-reserve', reason: `increase to ${r.targetA} A staged: room kept for ramps the chargers have not reported yet` };
  };
  // Starts first, one by one (an EV below its minimum cannot take a part of it), then the other increases share what is left.
  for (const r of rising.filter((x) => x.curA < x.evse.minCurrentA)) {
    if (++n % EVSES_PER_STEP === 0) yield 'ramp reserve: starts';
    const a = floor01(Math.min(r.targetA, r.curA + Math.max(0, roomFor(r)) / 2));
    if (a < r.evse.minCurrentA) {
      staged(r, r.curA);
      continue;
    }
    take(r, a - r.curA);
    staged(r, a);
  }
  const others = rising.filter((x) => x.curA >= x.evse.minCurrentA);
  const wanted = new Map<string, number>();
  for (const r of others) for (const k of keysOf(r)) wanted.set(k, (wanted.get(k) ?? 0) + (r.targetA - r.curA));
  for (const r of others) {
    if (++n % EVSES_PER_STEP === 0) yield 'ramp reserve: increases';
    let x = 1;
    for (const k of keysOf(r)) {
      const w = wanted.get(k) ?? 0;
      if (w > 0) x = Math.min(x, Math.max(0, (room.get(k) ?? Infinity) / (2 * w)));
    }
    if (x >= 1) continue;
    staged(r, floor01(r.curA + x * (r.targetA - r.curA)));
  }
  return out;
}

function floor01(a: number): number {
  return Math.floor(a * 10 + 1e-7) / 10;
}

/** When the offer last went up, if it ever did (the first offer counts as a raise from 0). */
function lastRaiseMs(offers: readonly { fromMs: number; limitA: number }[]): number | undefined {
  for (let i = offers.length - 1; i >= 0; i--) {
    const o = offers[i];
    if (!o) break;
    const prev = offers[i - 1];
    if (o.limitA > (prev?.limitA ?? 0)) return o.fromMs;
  }
  return undefined;
}
