import type { OperationMode } from '../../src/energy/charging-profile.js';
import type { EvseModel } from '../../src/energy/site-model.js';
import type { Decision, SiteSnapshot, Strategy } from '../../src/energy/strategy.js';
import { csmsPeriodFor } from './active-period.js';
import { setpointParams, type SetpointParams } from './params.js';
import { bandAmps, clampToBand, evseMaxPowerW, periodValueW, powerBand, type PowerBand } from './power-band.js';
import { splitSetpoint } from './split.js';

/** The setpoint strategy keeps no memory between calls. */
export type SetpointState = Record<string, never>;

const SETPOINT_MODES: ReadonlySet<OperationMode> = new Set<OperationMode>(['CentralSetpoint', 'ExternalSetpoint']);

function kw(powerW: number): string {
  return `${(powerW / 1000).toFixed(1)} kW`;
}

interface Target {
  evse: EvseModel;
  band: PowerBand;
  /** Undefined: takes a share of the site setpoint. */
  valueW?: number;
  from?: string;
}

/**
 * OCPP 2.1 CentralSetpoint / ExternalSetpoint: signed power setpoints, W (positive charges,
 * negative discharges), for active EVSEs in a setpoint mode (from the CSMS period in force, else
 * the snapshot's modes, or listed in params.evseKeys).
 *
 * An EVSE's setpoint: in CentralSetpoint the CSMS period's `setpoint` if it has one; otherwise
 * the snapshot's live EVSE setpoint, else the configured one; otherwise a share of the site
 * setpoint (live, else configured), split pro rata of max power among those EVSEs: charging
 * among all, discharging only among bidirectional ones. Without any setpoint: 0 W.
 *
 * Every setpoint is clamped into the EVSE's band: never above its max or the CSMS limit,
 * never below -max, the CSMS dischargeLimit or the setpoint's own dischargeLimitW, and never
 * below 0 for an EVSE that cannot discharge.
 */
export function createSetpointStrategy(partial: Partial<SetpointParams> = {}): Strategy<SetpointState> {
  const params = setpointParams(partial);
  return {
    name: 'setpoint',
    initialState: () => ({}),
    decide: (snapshot, state) => ({ decisions: decideSetpoints(snapshot, params), state }),
  };
}

function decideSetpoints(snapshot: SiteSnapshot, params: SetpointParams): Decision[] {
  const listed = new Set(params.evseKeys);
  const targets: Target[] = [];
  for (const evse of [...snapshot.evses].sort((a, b) => a.key.localeCompare(b.key))) {
    if (snapshot.live[evse.key]?.active !== true) continue;
    const csms = csmsPeriodFor(snapshot, evse);
    const csmsMode = csms?.period.operationMode;
    const mode = csmsMode !== undefined && SETPOINT_MODES.has(csmsMode) ? csmsMode : snapshot.modes[evse.key];
    if (!(mode !== undefined && SETPOINT_MODES.has(mode)) && !listed.has(evse.key)) continue;

    const live = snapshot.setpoints?.evse?.[evse.key];
    const configured = params.evseSetpoints[evse.key];
    const own = live ?? configured;
    const band = powerBand(evse, csms, own?.dischargeLimitW);
    if (mode === 'CentralSetpoint' && csms && csms.period.setpoint !== undefined) {
      targets.push({ evse, band, valueW: periodValueW(csms.period.setpoint, csms, evse), from: `csms:profile ${csms.profileId}` });
    } else if (live) {
      targets.push({ evse, band, valueW: live.valueW, from: live.source });
    } else if (configured) {
      targets.push({ evse, band, valueW: configured.valueW, from: 'config' });
    } else {
      targets.push({ evse, band });
    }
  }

  const pool = targets.filter((t) => t.valueW === undefined);
  const site = snapshot.setpoints?.siteW
    ?? (params.siteSetpointW === undefined ? undefined : { valueW: params.siteSetpointW, source: 'config' });
  const split = site === undefined
    ? undefined
    : splitSetpoint(site.valueW, pool.map((t) => ({
      key: t.evse.key, weightW: evseMaxPowerW(t.evse), lowerW: t.band.lowerW, upperW: t.band.upperW,
    })));

  return targets.map((t) => {
    let wantedW: number;
    let why: string;
    if (t.valueW !== undefined) {
      wantedW = t.valueW;
      why = `setpoint ${kw(wantedW)} from ${t.from ?? 'unknown'}`;
    } else if (site && split) {
      wantedW = split.sharesW[t.evse.key] ?? 0;
      const unplaced = Math.abs(split.unplacedW) > 0.5 ? `, ${kw(split.unplacedW)} could not be placed` : '';
      why = `share ${kw(wantedW)} of site setpoint ${kw(site.valueW)} from ${site.source}${unplaced}`;
    } else {
      wantedW = 0;
      why = 'no setpoint given: 0 W';
    }
    const setpointW = clampToBand(wantedW, t.band);
    const clamped = setpointW !== wantedW
      ? `, clamped to ${kw(setpointW)} (band ${kw(t.band.lowerW)}..${kw(t.band.upperW)}${t.band.notes.length ? `: ${t.band.notes.join(', ')}` : ''})`
      : '';
    return {
      evseKey: t.evse.key,
      setpointW,
      maxCurrentA: bandAmps(t.band),
      dischargeLimitW: t.band.lowerW,
      source: params.source,
      reason: `${why}${clamped}`,
    };
  });
}
