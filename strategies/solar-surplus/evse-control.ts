import type { EvseModel } from '../../src/energy/site-model.js';
import type { SolarSurplusParams } from './params.js';
import { floorTenth } from '../../src/energy/composite/units.js';

/** Memory for one EVSE between calls. */
export interface SolarEvseState {
  /** pv: the car has been started; min+pv and now: running. */
  enabled: boolean;
  /** Phases the EVSE uses now (1 only for phase-switching EVSEs). */
  phases: 1 | 3;
  /** Current last decided, A per phase. */
  currentA: number;
  /** When the decided current or phases last changed, ms (undefined: not since the EVSE was idle). */
  changedAtMs?: number;
  /** The most power offered before that change that the EV may still be drawing while it settles, W. */
  settlingFromW?: number;
  /** Start or stop condition and since when it has held, ms. */
  onOffTimer?: { kind: 'enable' | 'disable'; sinceMs: number };
  /** Wanted phase count and since when it has been wanted, ms. */
  phaseTimer?: { target: 1 | 3; sinceMs: number };
}

export interface SurplusControlInput {
  evse: EvseModel;
  mode: 'pv' | 'min+pv';
  /** A three-phase EVSE that may drop to one phase. */
  canSwitch: boolean;
  /** Surplus this EVSE may use, W. */
  shareW: number;
  nowMs: number;
  params: SolarSurplusParams;
}

export interface SurplusControlResult {
  state: SolarEvseState;
  currentA: number;
  phases: 1 | 3;
  reason: string;
}

export function initialEvseState(evse: EvseModel): SolarEvseState {
  return { enabled: false, phases: evse.phases, currentA: 0 };
}

export function kw(powerW: number): string {
  return `${(powerW / 1000).toFixed(1)} kW`;
}

export function phaseWord(phases: number): string {
  return phases === 1 ? '1 phase' : `${phases} phases`;
}

/** Highest current per phase on `phases` phases, A (EVSE max current and max power). */
export function maxCurrentOn(evse: EvseModel, phases: number): number {
  const byPowerA = evse.maxPowerW === undefined ? Infinity : evse.maxPowerW / (phases * evse.voltageV);
  return Math.min(evse.maxCurrentA, byPowerA);
}

function waitedS(sinceMs: number, nowMs: number): number {
  return (nowMs - sinceMs) / 1000;
}

/**
 * Start/stop hysteresis and phase choice for one EVSE in pv or min+pv mode.
 * pv starts when the share has stayed >= min power + enableThresholdW for enableDelayS, and stops
 * when it has stayed < min power - disableThresholdW for disableDelayS (min power on the fewest
 * phases the EVSE can use); in between it charges at min current, importing a little.
 * min+pv never stops. A phase switch needs its own condition to hold for phaseSwitchDelayS;
 * a stopped car starts directly on the phase count the share allows.
 * The current is floored to 0.1 A and kept within [min, max]: never between 0 and min.
 */
export function controlSurplus(input: SurplusControlInput, previous: SolarEvseState): SurplusControlResult {
  const { evse, mode, canSwitch, shareW, nowMs, params } = input;
  const voltageV = evse.voltageV;
  const minW = (phases: number): number => evse.minCurrentA * phases * voltageV;
  const fewestPhases: 1 | 3 = canSwitch ? 1 : evse.phases;
  let s: SolarEvseState = { ...previous, phases: canSwitch ? previous.phases : evse.phases };
  let note = '';
  let started = false;

  if (!s.enabled) {
    const startPhases: 1 | 3 = canSwitch && shareW >= minW(3) + params.enableThresholdW ? 3 : fewestPhases;
    if (mode === 'pv') {
      const startW = minW(startPhases) + params.enableThresholdW;
      if (shareW < startW) {
        const state = { ...s, onOffTimer: undefined, phaseTimer: undefined, currentA: 0 };
        return { state, currentA: 0, phases: s.phases, reason: `pv: surplus ${kw(shareW)} below start ${kw(startW)}` };
      }
      const sinceMs = s.onOffTimer?.kind === 'enable' ? s.onOffTimer.sinceMs : nowMs;
      const leftS = params.enableDelayS - waitedS(sinceMs, nowMs);
      if (leftS > 0) {
        const state: SolarEvseState = { ...s, onOffTimer: { kind: 'enable', sinceMs }, currentA: 0 };
        const reason = `pv: surplus ${kw(shareW)} above start ${kw(startW)}, starting in ${Math.ceil(leftS)} s`;
        return { state, currentA: 0, phases: s.phases, reason };
      }
    }
    s = { ...s, enabled: true, phases: startPhases, onOffTimer: undefined, phaseTimer: undefined };
    started = true;
  }

  if (mode === 'pv' && !started) {
    const stopW = minW(fewestPhases) - params.disableThresholdW;
    if (shareW < stopW) {
      const sinceMs = s.onOffTimer?.kind === 'disable' ? s.onOffTimer.sinceMs : nowMs;
      const leftS = params.disableDelayS - waitedS(sinceMs, nowMs);
      if (leftS <= 0) {
        const state = { ...s, enabled: false, onOffTimer: undefined, phaseTimer: undefined, currentA: 0 };
        const reason = `pv: surplus ${kw(shareW)} below stop ${kw(stopW)} for ${params.disableDelayS} s: stopped`;
        return { state, currentA: 0, phases: s.phases, reason };
      }
      s = { ...s, onOffTimer: { kind: 'disable', sinceMs } };
      note += `, below stop ${kw(stopW)}: stopping in ${Math.ceil(leftS)} s`;
    } else {
      s = { ...s, onOffTimer: undefined };
    }
  }

  if (canSwitch && !started) {
    const want: 1 | 3 = s.phases === 3
      ? (shareW < minW(3) - params.disableThresholdW ? 1 : 3)
      : (shareW >= minW(3) + params.enableThresholdW ? 3 : 1);
    if (want === s.phases) {
      s = { ...s, phaseTimer: undefined };
    } else {
      const sinceMs = s.phaseTimer?.target === want ? s.phaseTimer.sinceMs : nowMs;
      const leftS = params.phaseSwitchDelayS - waitedS(sinceMs, nowMs);
      if (leftS <= 0) {
        s = { ...s, phases: want, phaseTimer: undefined };
        note += `, switched to ${phaseWord(want)}`;
      } else {
        s = { ...s, phaseTimer: { target: want, sinceMs } };
        note += `, switching to ${phaseWord(want)} in ${Math.ceil(leftS)} s`;
      }
    }
  }

  const maxA = maxCurrentOn(evse, s.phases);
  if (maxA < evse.minCurrentA) {
    const state = { ...s, enabled: false, currentA: 0 };
    return { state, currentA: 0, phases: s.phases, reason: `${mode}: EVSE max ${maxA} A below its min ${evse.minCurrentA} A` };
  }
  // floorTenth allows for floating point: a share worth exactly 22.2 A can compute as 22.1999...;
  // floored bare, it lowered the EV a step each time it reached the step.
  const flooredA = floorTenth(shareW / (s.phases * voltageV));
  const currentA = Math.min(maxA, Math.max(evse.minCurrentA, flooredA));
  const reason = `${mode}: surplus ${kw(shareW)} -> ${currentA} A on ${phaseWord(s.phases)}${note}`;
  return { state: { ...s, currentA }, currentA, phases: s.phases, reason };
}
