import { controlsInForce, inForceOf, type DerControlState, type DerInForce } from '../../src/der/der-control-store.js';
import type { DerControl, DerControlType } from '../../src/der/der-control-types.js';
import type { Decision, SiteSnapshot, Strategy } from '../../src/energy/strategy.js';
import { curvePowerW, lagFraction } from '../frequency-droop/curve.js';
import { csmsPeriodFor } from '../setpoint/active-period.js';
import { bandAmps, evseMaxPowerW, powerBand } from '../setpoint/power-band.js';
import { stepEnterService, type EnterServiceState } from './enter-service.js';
import { freqDroopResponseW, freqWattPoints } from './freq-response.js';
import { gridFrequencyHz, gridOutsideWindow } from './grid-check.js';
import { derStrategyParams, type DerStrategyParams } from './params.js';
import { rampRateWPerS, rampToward } from './ramp.js';

/** A fixed power factor for the dispatcher to pass to a capable EVSE. */
export interface PowerFactorSetting {
  controlId: string;
  /** cos(phi), 0..1. */
  displacement: number;
  /** Reactive power: absorbing (under-excited) or injecting (over-excited). */
  excitation: 'absorbing' | 'injecting';
}

/** A Decision that may also carry power factors: FixedPFAbsorb while charging, FixedPFInject while discharging. */
export interface DerDecision extends Decision {
  powerFactor?: { whileCharging?: PowerFactorSetting; whileDischarging?: PowerFactorSetting };
}

/** A control in force that the hub could not apply (to one EVSE, or at all), and why. */
export interface DerNotApplied {
  controlId: string;
  controlType: DerControlType;
  evseKey?: string;
  reason: string;
}

export interface DerEvseState {
  /** Last output, W: the setpoint under frequency control, else the charging cap. */
  outputW: number;
  timeMs: number;
  /** Since when the EVSE may deliver power (connection, or entering service); ramps run from here. */
  serviceSinceMs?: number;
  enterService?: EnterServiceState;
}

export interface DerStrategyState {
  /** Seed of the next random enter-service delay. */
  seed: number;
  evses: Record<string, DerEvseState>;
  /** What the last decision could not apply. */
  notApplied: DerNotApplied[];
}

const APPLIED: ReadonlySet<DerControlType> = new Set<DerControlType>([
  'EnterService', 'FreqDroop', 'FreqWatt', 'FixedPFAbsorb', 'FixedPFInject', 'Gradients', 'LimitMaxDischarge',
]);

function kw(w: number): string {
  return `${(w / 1000).toFixed(2)} kW`;
}

/**
 * The DER controls in force applied to each active EVSE in scope (pure). Power positive charges,
 * negative discharges. For each EVSE, in order:
 * 1. the band: EVSE max and the CSMS period (strategies/setpoint), the discharge side narrowed
 *    by LimitMaxDischarge to pctMaxDischargePower % of the EVSE's rated power (bidirectional only);
 * 2. the target: under FreqWatt (wins over FreqDroop) or FreqDroop, baseline + response(f)
 *    (baseline: the EVSE's live setpoint, else the CSMS period's v2xBaseline, else params),
 *    moved toward with the control's response time (90 % after responseTime); otherwise the
 *    charging cap is the band's top;
 * 3. EnterService: 0 while waiting for the grid to stay within the windows for delay + random
 *    delay after the EVSE became active or the grid left the windows; then an envelope that
 *    opens at rampRate (time to full rating; Gradients.softGradient when rampRate is 0);
 * 4. Gradients: the output moves by at most rating / gradient W per second from the last output
 *    (from 0 for an EVSE first seen while Gradients or EnterService are in force);
 * 5. the result is clamped into the band and envelope again: limits beat ramps.
 * FixedPFAbsorb / FixedPFInject go as power factors to EVSEs in params.powerFactorEvseKeys and are
 * recorded in state.notApplied for the others, as is any control the hub cannot apply.
 */
export function decideDer(
  snapshot: SiteSnapshot,
  inForce: DerInForce,
  state: DerStrategyState,
  params: DerStrategyParams,
): { decisions: DerDecision[]; state: DerStrategyState } {
  const inForceList = Object.values(inForce).filter((c): c is DerControl => c !== undefined);
  if (inForceList.length === 0) return { decisions: [], state: { seed: state.seed, evses: {}, notApplied: [] } };
  const notApplied: DerNotApplied[] = inForceList
    .filter((c) => !APPLIED.has(c.controlType))
    .map((c) => ({ controlId: c.controlId, controlType: c.controlType, reason: `${c.controlType} is not applied by the hub` }));
  const skip = (c: DerControl, evseKey: string, reason: string): void => {
    notApplied.push({ controlId: c.controlId, controlType: c.controlType, evseKey, reason });
  };
  const scope = new Set(params.evseKeys);
  const pfCapable = new Set(params.powerFactorEvseKeys);
  const meterId = params.gridMeterId ?? snapshot.meterRoles.gridMeterId;
  const hz = gridFrequencyHz(snapshot, meterId);
  const nowMs = snapshot.nowMs;
  let seed = state.seed;
  const decisions: DerDecision[] = [];
  const evses: Record<string, DerEvseState> = {};

  for (const evse of [...snapshot.evses].sort((a, b) => a.key.localeCompare(b.key))) {
    const key = evse.key;
    if ((scope.size > 0 && !scope.has(key)) || snapshot.live[key]?.active !== true) continue;
    const ratedW = evseMaxPowerW(evse);
    const csms = csmsPeriodFor(snapshot, evse);
    const band = powerBand(evse, csms);
    let lowerW = band.lowerW;
    let upperW = band.upperW;
    const sources: string[] = [];
    const reasons: string[] = [];

    const lmd = inForceOf(inForce, 'LimitMaxDischarge');
    if (lmd) {
      const pct = lmd.limitMaxDischarge.pctMaxDischargePower;
      if (!evse.bidirectional) skip(lmd, key, 'EVSE cannot discharge');
      else if (pct === undefined) skip(lmd, key, 'no pctMaxDischargePower (power monitoring only)');
      else {
        lowerW = Math.max(lowerW, -(pct / 100) * ratedW);
        sources.push('LimitMaxDischarge');
        reasons.push(`discharge at most ${kw(-lowerW)} (${pct} % of ${kw(ratedW)}, ${lmd.controlId})`);
      }
    }

    const fw = inForceOf(inForce, 'FreqWatt');
    const fd = inForceOf(inForce, 'FreqDroop');
    const underFrequency = fw !== undefined || fd !== undefined;
    let targetW = upperW;
    let responseTimeS: number | undefined;
    if (underFrequency) {
      const baselineW = snapshot.setpoints?.evse?.[key]?.valueW ?? csms?.period.v2xBaseline ?? params.baselineW;
      targetW = baselineW;
      if (typeof hz === 'string') {
        sources.push(fw ? 'FreqWatt' : 'FreqDroop');
        reasons.push(`${hz}: no frequency response, baseline ${kw(baselineW)}`);
      } else if (fw) {
        targetW = baselineW + curvePowerW(freqWattPoints(fw.curve, ratedW), hz);
        responseTimeS = fw.curve.responseTime;
        sources.push('FreqWatt');
        reasons.push(`${hz.toFixed(3)} Hz on FreqWatt ${fw.controlId}: target ${kw(targetW)}`);
        if (fd) skip(fd, key, `FreqWatt ${fw.controlId} is in force`);
      } else if (fd) {
        targetW = baselineW + freqDroopResponseW(hz, ratedW, fd.freqDroop, params.nominalHz);
        responseTimeS = fd.freqDroop.responseTime;
        sources.push('FreqDroop');
        reasons.push(`${hz.toFixed(3)} Hz on FreqDroop ${fd.controlId}: target ${kw(targetW)}`);
      }
    }

    const prev = state.evses[key];
    const ent = inForceOf(inForce, 'EnterService');
    const grad = inForceOf(inForce, 'Gradients');
    let serviceSinceMs: number | undefined = prev?.serviceSinceMs ?? nowMs;
    let enterService: EnterServiceState | undefined;
    let envelopeW = Number.POSITIVE_INFINITY;
    if (ent) {
      const outside = gridOutsideWindow(snapshot, meterId, ent.enterService);
      const step = stepEnterService(prev?.enterService, outside, ent.enterService, nowMs, seed);
      seed = step.seed;
      enterService = step.state;
      sources.push('EnterService');
      if (step.state.phase === 'waiting') {
        serviceSinceMs = undefined;
        envelopeW = 0;
        const since = step.state.inRangeSinceMs;
        const leftS = since === undefined ? undefined
          : (since + ((ent.enterService.delay ?? 0) + step.state.randomDelayS) * 1000 - nowMs) / 1000;
        reasons.push(`enter service (${ent.controlId}): waiting, ${outside ?? `grid in range, ${leftS?.toFixed(0)} s left`}`);
      } else {
        serviceSinceMs = step.state.sinceMs;
      }
    }
    const softRate = rampRateWPerS(ratedW, ent?.enterService.rampRate) ?? rampRateWPerS(ratedW, grad?.gradient.softGradient);
    if (envelopeW > 0 && softRate !== undefined && serviceSinceMs !== undefined) {
      envelopeW = (softRate * (nowMs - serviceSinceMs)) / 1000;
      if (envelopeW < ratedW) reasons.push(`soft start: at most ${kw(envelopeW)}`);
      if (!ent && grad) sources.push('Gradients');
    }
    lowerW = Math.min(0, Math.max(lowerW, -envelopeW));
    upperW = Math.max(0, Math.min(upperW, envelopeW));
    const clamp = (w: number): number => Math.min(upperW, Math.max(lowerW, w));

    const target = clamp(targetW);
    const fromW = prev ? prev.outputW : (ent || grad ? 0 : target);
    const dtS = prev ? (nowMs - prev.timeMs) / 1000 : 0;
    let outputW = responseTimeS !== undefined ? fromW + (target - fromW) * lagFraction(dtS, responseTimeS) : target;
    const rate = rampRateWPerS(ratedW, grad?.gradient.gradient);
    if (rate !== undefined) {
      outputW = rampToward(fromW, outputW, rate, dtS);
      if (!sources.includes('Gradients')) sources.push('Gradients');
      if (outputW !== target) reasons.push(`ramp ${kw(rate)}/s (${grad?.controlId})`);
    }
    outputW = clamp(outputW);

    const powerFactor: NonNullable<DerDecision['powerFactor']> = {};
    for (const c of [inForceOf(inForce, 'FixedPFAbsorb'), inForceOf(inForce, 'FixedPFInject')]) {
      if (!c || (c.controlType !== 'FixedPFAbsorb' && c.controlType !== 'FixedPFInject')) continue;
      if (!pfCapable.has(key)) {
        skip(c, key, 'EVSE cannot set a power factor');
        continue;
      }
      const pf = c.controlType === 'FixedPFAbsorb' ? c.fixedPFAbsorb : c.fixedPFInject;
      const setting: PowerFactorSetting = { controlId: c.controlId, displacement: pf.displacement, excitation: pf.excitation ? 'absorbing' : 'injecting' };
      if (c.controlType === 'FixedPFAbsorb') powerFactor.whileCharging = setting;
      else powerFactor.whileDischarging = setting;
      sources.push(c.controlType);
      reasons.push(`PF ${pf.displacement} ${setting.excitation} while ${c.controlType === 'FixedPFAbsorb' ? 'charging' : 'discharging'} (${c.controlId})`);
    }

    evses[key] = { outputW, timeMs: nowMs, ...(serviceSinceMs !== undefined ? { serviceSinceMs } : {}), ...(enterService ? { enterService } : {}) };
    if (sources.length === 0) continue;
    const shapesPower = underFrequency || ent !== undefined || rate !== undefined || softRate !== undefined;
    const decision: DerDecision = {
      evseKey: key,
      dischargeLimitW: lowerW,
      source: `der:${sources.join('+')}`,
      reason: reasons.join('; '),
    };
    if (shapesPower) decision.maxCurrentA = bandAmps(band, underFrequency ? upperW : outputW);
    if (underFrequency) decision.setpointW = outputW;
    if (powerFactor.whileCharging || powerFactor.whileDischarging) decision.powerFactor = powerFactor;
    decisions.push(decision);
  }
  return { decisions, state: { seed, evses, notApplied } };
}

/**
 * The DER strategy. `controls` reads the accepted DER controls (the DerService's immutable state,
 * replaced on every change); the controls in force are taken at the snapshot's time, so a decision
 * is a pure function of the snapshot, the state and that value.
 */
export function createDerStrategy(
  partial: Partial<DerStrategyParams>,
  deps: { controls: () => DerControlState },
): Strategy<DerStrategyState> {
  const params = derStrategyParams(partial);
  return {
    name: 'der',
    initialState: () => ({ seed: params.seed >>> 0, evses: {}, notApplied: [] }),
    decide: (snapshot, state) => decideDer(snapshot, controlsInForce(deps.controls(), snapshot.nowMs), state, params),
  };
}
