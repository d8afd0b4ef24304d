/**
 * Increases that depend on no decrease. Pure.
 *
 * Make before break (make-before-break.ts) holds an increase until every decrease sent elsewhere
 * on a shared circuit has been followed, because EVs follow a lower limit seconds late. With
 * chargers that report every 10 s that is up to 10 s, and a newly plugged-in EV waited that long
 * for its first offer even where it fitted next to the old, higher offers.
 *
 * So, per EVSE whose decided limit is above what it holds, the highest limit it may take now
 * with every other EVSE counted at the most it may still draw: the larger of its new limit and
 * every offer it had during the last followS s, unless a report after its last offer shows the
 * EV followed it (then the larger of that offer, the new limit and the report). Up to that the
 * increase fits on every circuit phase and power limit whatever the others' EVs do meanwhile,
 * on the same safe non-EV estimate as the decision (the budgets' available room), so it need not
 * wait. A start (an EVSE below its minimum) gets a value only when that reaches the minimum.
 */
import { gridPhases, roomKeysOf, roomLeft, evseVoltageV, pathToRoot } from '../energy/allocation/index.js';
import type { EvseLiveState, EvseModel } from '../energy/site-model.js';
import type { CalmInput } from './calm-input.js';
import { drain, EVSES_PER_STEP, type Steps } from '../energy/steps.js';

export interface FitsAloneInput extends CalmInput {
  /** A report this close above an offer shows the EV followed it, A. Default 1. */
  toleranceA?: number;
}

/** The most the EVSE's EV may draw from now on, given its new limit, A per phase. */
export function mayStillDrawA(live: EvseLiveState | undefined, newA: number, nowMs: number, followS: number, toleranceA = 1): number {
  const offers = live?.offers ?? [];
  const last = offers[offers.length - 1];
  if (!last) return newA;
  const samples = live?.samples ?? [];
  const report = samples[samples.length - 1];
  // A report since the last offer: what it shows counts (above the offer: a charger not following).
  const reportA = report && report.timeMs > last.fromMs ? Math.max(0, ...report.currentA) : 0;
  if (report && report.timeMs > last.fromMs && reportA <= last.limitA + toleranceA) return Math.max(newA, last.limitA, reportA);
  const sinceMs = nowMs - followS * 1000;
  let most = Math.max(newA, last.limitA, reportA);
  for (let i = offers.length - 1; i >= 0; i--) {
    const o = offers[i];
    if (!o) break;
    most = Math.max(most, o.limitA);
    if (o.fromMs <= sinceMs) break; // in force at the start of the window: older ones are followed
  }
  return most;
}

/** Per EVSE with an increase, the limit (A, at most its decided one) it may take without waiting for decreases elsewhere. */
export function fitsAlone(input: FitsAloneInput): Record<string, number> {
  return drain(fitsAloneSteps(input));
}

/** `fitsAlone` as steps (see steps.ts): the same result, with yields between its parts. */
export function* fitsAloneSteps(input: FitsAloneInput): Steps<Record<string, number>> {
  let n = 0;
  const out: Record<string, number> = {};
  const heldOf = (e: EvseModel): number | undefined => {
    const offers = input.live[e.key]?.offers;
    return offers?.[offers.length - 1]?.limitA;
  };
  const risers = input.evses.filter((e) => {
    const held = heldOf(e);
    const a = input.limits[e.key]?.maxCurrentA ?? 0;
    return held !== undefined && a > held && input.live[e.key]?.active === true && input.live[e.key]?.controllable !== false;
  });
  if (risers.length === 0) return out;
  yield 'fits alone: risers';
  const worst = new Map(input.evses.map((e) => [e.key, mayStillDrawA(input.live[e.key], input.limits[e.key]?.maxCurrentA ?? 0, input.nowMs, input.followS, input.toleranceA)]));
  // The room with every EVSE at its worst, once; each riser then only puts its own worst back
  // on its own path and takes what it holds instead (its own decreases do not matter to it).
  // One pass over the site instead of one per riser (thousands rise together after a boot storm).
  yield 'fits alone: worst';
  const room = roomLeft(input.tree, input.evses, input.circuits, (o) => worst.get(o.key) ?? 0);
  yield 'fits alone: room';
  for (const e of risers) {
    if (++n % EVSES_PER_STEP === 0) yield 'fits alone: increases';
    const held = heldOf(e) ?? 0;
    const wantA = input.limits[e.key]?.maxCurrentA ?? 0;
    const backA = (worst.get(e.key) ?? 0) - held;
    const phases = gridPhases(e);
    // It took its share once per EVSE phase on that grid phase (roomKeysOf: circuit by circuit, phases in order).
    const times = phases.map((p) => phases.filter((q) => q === p).length);
    const phaseRoomA = Math.min(
      ...roomKeysOf(input.tree, e).map((k, i) => {
        const left = room.phaseA.get(k);
        return left === undefined ? Infinity : left + backA * (times[i % phases.length] ?? 1);
      }),
    );
    const perA = phases.length * evseVoltageV(e);
    const powerRoomA = Math.min(
      ...pathToRoot(input.tree, e.circuitId).map((c) => {
        const leftW = room.powerW.get(c);
        return leftW === undefined ? Infinity : (leftW + backA * perA) / perA;
      }),
    );
    const fitA = Math.floor((held + Math.min(phaseRoomA, powerRoomA)) * 10 + 1e-7) / 10;
    const a = Math.min(wantA, fitA);
    if (a <= held || (held < e.minCurrentA && a < e.minCurrentA)) continue;
    out[e.key] = a;
  }
  return out;
}
