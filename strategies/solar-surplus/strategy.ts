import type { OperationMode } from '../../src/energy/charging-profile.js';
import type { EvseModel } from '../../src/energy/site-model.js';
import type { Decision, SiteSnapshot, Strategy } from '../../src/energy/strategy.js';
import {
  controlSurplus, initialEvseState, maxCurrentOn, phaseWord, type SolarEvseState,
} from './evse-control.js';
import { solarSurplusParams, type SolarMode, type SolarSurplusParams } from './params.js';
import { holdReason, mostDrawW, offeredW, reportIsCurrent, settlingFromWAfter } from './settle.js';
import { siteSurplus } from './surplus.js';

export interface SolarSurplusState {
  evses: Record<string, SolarEvseState>;
}

/** Operation modes owned by the V2X strategies (setpoint, frequency droop): solar leaves these EVSEs alone. */
const V2X_MODES: ReadonlySet<OperationMode> = new Set<OperationMode>([
  'CentralSetpoint', 'ExternalSetpoint', 'CentralFrequency', 'LocalFrequency', 'ExternalLimits',
]);

/**
 * Solar-surplus charging. Each EVSE's solar mode is the one set at runtime (the snapshot's
 * `solarModes`), else `params.modes` from the config, else `params.defaultMode`; the snapshot's
 * OCPP operation mode takes precedence where it says otherwise: `Idle` means off, and EVSEs in a V2X mode are not decided here at all.
 *
 * Surplus (see siteSurplus) is shared in order of EVSE priority (then key): `now` EVSEs take
 * their max and `min+pv` EVSEs their min first, then pv / min+pv EVSEs fill up in turn.
 * EV consumption counts the measured current, or, when not measured (or last reported before
 * the last change had settled), the current last decided. After a change an EVSE's current is
 * held until the grid reading and the EV's report show it (settle.ts): deciding on a fresh grid
 * reading plus a report from before the change flaps.
 * Without a fresh grid reading, pv stops at once and min+pv falls back to min current.
 */
export function createSolarSurplusStrategy(partial: Partial<SolarSurplusParams> = {}): Strategy<SolarSurplusState> {
  const params = solarSurplusParams(partial);
  return {
    name: 'solar-surplus',
    initialState: () => ({ evses: {} }),
    decide: (snapshot, state) => decideSolar(snapshot, state, params),
  };
}

function solarModeOf(key: string, snapshot: SiteSnapshot, params: SolarSurplusParams): SolarMode | undefined {
  const opMode = snapshot.modes[key];
  if (opMode !== undefined && V2X_MODES.has(opMode)) return undefined;
  if (opMode === 'Idle') return 'off';
  return snapshot.solarModes?.[key] ?? params.modes[key] ?? params.defaultMode;
}

function evPowerW(evse: EvseModel, snapshot: SiteSnapshot, st: SolarEvseState, settleS: number): number {
  const live = snapshot.live[evse.key];
  const measured = live?.measuredCurrentA;
  if (measured !== undefined && reportIsCurrent(st.changedAtMs, live, settleS)) {
    return measured.reduce((sum, a) => sum + a, 0) * evse.voltageV;
  }
  return offeredW(evse, st);
}

function decideSolar(
  snapshot: SiteSnapshot,
  state: SolarSurplusState,
  params: SolarSurplusParams,
): { decisions: Decision[]; state: SolarSurplusState } {
  const controlled = snapshot.evses
    .map((evse) => ({ evse, mode: solarModeOf(evse.key, snapshot, params) }))
    .filter((c): c is { evse: EvseModel; mode: SolarMode } => c.mode !== undefined)
    .sort((a, b) => b.evse.priority - a.evse.priority || a.evse.key.localeCompare(b.evse.key));
  const switching = new Set(params.phaseSwitchingEvseKeys);
  const canSwitch = (evse: EvseModel): boolean => evse.phases === 3 && switching.has(evse.key);
  const stateOf = (evse: EvseModel): SolarEvseState => state.evses[evse.key] ?? initialEvseState(evse);
  const isActive = (evse: EvseModel): boolean => snapshot.live[evse.key]?.active === true;
  const minReserveW = (evse: EvseModel): number =>
    evse.minCurrentA * (canSwitch(evse) ? 1 : evse.phases) * evse.voltageV;

  let consumptionW = 0;
  for (const { evse } of controlled) if (isActive(evse)) consumptionW += evPowerW(evse, snapshot, stateOf(evse), params.settleS);
  const surplus = siteSurplus(snapshot, params, consumptionW);

  let availableW = surplus.ok ? surplus.surplusW : 0;
  for (const { evse, mode } of controlled) {
    if (!isActive(evse)) continue;
    if (mode === 'now') availableW -= maxCurrentOn(evse, evse.phases) * evse.phases * evse.voltageV;
    if (mode === 'min+pv') availableW -= minReserveW(evse);
  }

  const decisions: Decision[] = [];
  const next: Record<string, SolarEvseState> = {};
  for (const { evse, mode } of controlled) {
    const previous = stateOf(evse);
    // Why this EVSE's current is held while its last change settles (used where the surplus decides).
    const held = surplus.ok
      ? holdReason({ changedAtMs: previous.changedAtMs, nowMs: snapshot.nowMs, gridTimeMs: surplus.gridTimeMs, live: snapshot.live[evse.key], settleS: params.settleS })
      : undefined;
    const decide = (currentA: number, phases: 1 | 3, reason: string, st: SolarEvseState): void => {
      const changed = currentA !== previous.currentA || phases !== previous.phases;
      next[evse.key] = changed
        ? { ...st, currentA, changedAtMs: snapshot.nowMs, settlingFromW: settlingFromWAfter(evse, previous, held !== undefined) }
        : { ...st, currentA };
      const decision: Decision = { evseKey: evse.key, maxCurrentA: currentA, source: params.source, reason };
      if (canSwitch(evse)) decision.numberPhases = phases;
      decisions.push(decision);
    };
    const nativeMaxA = maxCurrentOn(evse, evse.phases);

    if (mode === 'off') {
      decide(0, previous.phases, 'off: not charging', { ...initialEvseState(evse), phases: previous.phases });
      continue;
    }
    if (mode === 'now') {
      const nowA = nativeMaxA >= evse.minCurrentA ? nativeMaxA : 0;
      decide(nowA, evse.phases, `now: max ${nowA} A on ${phaseWord(evse.phases)}`,
        { ...initialEvseState(evse), enabled: isActive(evse) && nowA > 0 });
      continue;
    }
    /** Min current on `phases`, or 0 when the EVSE's max power does not even allow that. */
    const minOn = (phases: 1 | 3): number => (maxCurrentOn(evse, phases) >= evse.minCurrentA ? evse.minCurrentA : 0);
    if (!isActive(evse)) {
      const phases = mode === 'pv' ? evse.phases : (canSwitch(evse) ? 1 : evse.phases);
      const idleA = mode === 'pv' ? 0 : minOn(phases);
      decide(idleA, phases, `${mode}: no EV, ready at ${idleA} A`, { ...initialEvseState(evse), phases });
      continue;
    }
    if (!surplus.ok) {
      if (mode === 'pv') {
        decide(0, previous.phases, `pv: ${surplus.reason}: stopped`, { ...initialEvseState(evse), phases: previous.phases });
      } else {
        const phases = previous.enabled ? previous.phases : (canSwitch(evse) ? 1 : evse.phases);
        decide(minOn(phases), phases, `min+pv: ${surplus.reason}: min current ${minOn(phases)} A`,
          { ...previous, enabled: true, phases, onOffTimer: undefined, phaseTimer: undefined });
      }
      continue;
    }
    const shareW = availableW + (mode === 'min+pv' ? minReserveW(evse) : 0);
    if (held !== undefined) {
      // Only a decrease, judged with the EV at the most it may draw (a real drop, see settle.ts).
      const liftW = mostDrawW(evse, previous) - evPowerW(evse, snapshot, previous, params.settleS);
      const down = controlSurplus(
        { evse, mode, canSwitch: canSwitch(evse), shareW: shareW + liftW, nowMs: snapshot.nowMs, params },
        previous,
      );
      if (down.currentA * down.phases < previous.currentA * previous.phases) {
        availableW = shareW - down.currentA * down.phases * evse.voltageV;
        decide(down.currentA, down.phases, `${down.reason}${surplus.note} (while ${held})`, down.state);
        continue;
      }
      availableW = shareW - previous.currentA * previous.phases * evse.voltageV;
      decide(previous.currentA, previous.phases, `${mode}: holding ${previous.currentA} A on ${phaseWord(previous.phases)}: ${held}`, previous);
      continue;
    }
    const r = controlSurplus(
      { evse, mode, canSwitch: canSwitch(evse), shareW, nowMs: snapshot.nowMs, params },
      previous,
    );
    availableW = shareW - r.currentA * r.phases * evse.voltageV;
    decide(r.currentA, r.phases, `${r.reason}${surplus.note}`, r.state);
  }
  return { decisions, state: { evses: next } };
}

