import type { OperationMode, V2xFreqWattPoint } from '../../src/energy/charging-profile.js';
import type { Decision, SiteSnapshot, Strategy } from '../../src/energy/strategy.js';
import { bandAmps, clampToBand, evseMaxPowerW, powerBand } from '../setpoint/power-band.js';
import { csmsPeriodFor } from '../setpoint/active-period.js';
import { checkFreqWattCurve, curvePowerW, droopDeltaW, lagFraction } from './curve.js';
import { frequencyDroopParams, type FrequencyDroopParams } from './params.js';

/** Output last decided per EVSE and when, so the next call can lag from it. */
export interface DroopEvseState {
  outputW: number;
  timeMs: number;
}

export interface FrequencyDroopState {
  evses: Record<string, DroopEvseState>;
}

const FREQUENCY_MODES: ReadonlySet<OperationMode> = new Set<OperationMode>(['CentralFrequency', 'LocalFrequency']);

function kw(powerW: number): string {
  return `${(powerW / 1000).toFixed(2)} kW`;
}

/**
 * OCPP 2.1 LocalFrequency / CentralFrequency: each active EVSE in a frequency mode (from the
 * CSMS period in force, else the snapshot's modes, or listed in params.evseKeys) follows
 * baseline + response(f), where f is the frequency meter's frequencyHz and the response is
 * the CSMS period's v2xFreqWattCurve (CentralFrequency), else params.curve, else a droop with a
 * dead band around nominal. Charging positive: the response rises with frequency.
 * The target is clamped into the EVSE's band (max power, CSMS limits, no discharge unless
 * bidirectional); the output moves toward it with a first-order lag (90% after responseTimeS)
 * timed from the previous call. Without a fresh frequency the output is the baseline at once.
 *
 * Throws a RangeError when params.curve is unusable (see checkFreqWattCurve).
 */
export function createFrequencyDroopStrategy(
  partial: Partial<FrequencyDroopParams> = {},
): Strategy<FrequencyDroopState> {
  const params = frequencyDroopParams(partial);
  if (params.curve) {
    const problem = checkFreqWattCurve(params.curve);
    if (problem) throw new RangeError(`frequency-droop: ${problem}`);
  }
  return {
    name: 'frequency-droop',
    initialState: () => ({ evses: {} }),
    decide: (snapshot, state) => decideDroop(snapshot, state, params),
  };
}

function frequencyOf(snapshot: SiteSnapshot, params: FrequencyDroopParams): { hz: number } | { problem: string } {
  const meterId = params.frequencyMeterId ?? snapshot.meterRoles.gridMeterId;
  if (meterId === undefined) return { problem: 'no frequency meter configured' };
  const reading = snapshot.meters[meterId];
  if (!reading) return { problem: `no reading from meter ${meterId}` };
  if (reading.stale) return { problem: `meter ${meterId} stale (age ${Math.round(reading.ageS)} s)` };
  const hz = reading.frequencyHz;
  if (hz === undefined || !Number.isFinite(hz) || hz <= 0) return { problem: `meter ${meterId} reports no frequency` };
  return { hz };
}

function decideDroop(
  snapshot: SiteSnapshot,
  state: FrequencyDroopState,
  params: FrequencyDroopParams,
): { decisions: Decision[]; state: FrequencyDroopState } {
  const listed = new Set(params.evseKeys);
  const frequency = frequencyOf(snapshot, params);
  const decisions: Decision[] = [];
  const next: Record<string, DroopEvseState> = {};

  for (const evse of [...snapshot.evses].sort((a, b) => a.key.localeCompare(b.key))) {
    if (snapshot.live[evse.key]?.active !== true) continue;
    const csms = csmsPeriodFor(snapshot, evse);
    const csmsMode = csms?.period.operationMode;
    const mode = csmsMode !== undefined && FREQUENCY_MODES.has(csmsMode) ? csmsMode : snapshot.modes[evse.key];
    if (!(mode !== undefined && FREQUENCY_MODES.has(mode)) && !listed.has(evse.key)) continue;

    const band = powerBand(evse, csms);
    const baselineW = csms?.period.v2xBaseline ?? params.baselineW;
    const restW = clampToBand(baselineW, band);
    const emit = (outputW: number, reason: string): void => {
      next[evse.key] = { outputW, timeMs: snapshot.nowMs };
      decisions.push({
        evseKey: evse.key,
        setpointW: outputW,
        maxCurrentA: bandAmps(band),
        dischargeLimitW: band.lowerW,
        source: params.source,
        reason,
      });
    };

    if ('problem' in frequency) {
      emit(restW, `${frequency.problem}: no frequency response, baseline ${kw(restW)}`);
      continue;
    }
    let curve: V2xFreqWattPoint[] | undefined = params.curve;
    let curveFrom = 'local curve';
    const csmsCurve = mode === 'CentralFrequency' ? csms?.period.v2xFreqWattCurve : undefined;
    if (csms && csmsCurve) {
      const problem = checkFreqWattCurve(csmsCurve);
      if (problem) {
        emit(restW, `csms:profile ${csms.profileId} ${problem}: baseline ${kw(restW)}`);
        continue;
      }
      curve = csmsCurve;
      curveFrom = `csms:profile ${csms.profileId} curve`;
    }
    const responseW = curve
      ? curvePowerW(curve, frequency.hz)
      : droopDeltaW(frequency.hz, evseMaxPowerW(evse), params);
    const how = curve ? curveFrom : `droop ${params.droopPct}%, dead band ${params.deadBandHz} Hz`;
    const targetW = clampToBand(baselineW + responseW, band);

    const previous = state.evses[evse.key];
    const fromW = previous ? clampToBand(previous.outputW, band) : restW;
    const dtS = previous ? (snapshot.nowMs - previous.timeMs) / 1000 : 0;
    const outputW = clampToBand(fromW + (targetW - fromW) * lagFraction(dtS, params.responseTimeS), band);
    emit(outputW, `${frequency.hz.toFixed(3)} Hz (${how}): target ${kw(targetW)}, output ${kw(outputW)}`);
  }
  return { decisions, state: { evses: next } };
}
