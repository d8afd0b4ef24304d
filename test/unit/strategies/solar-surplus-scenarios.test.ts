import { join } from 'node:path';
import { expect } from 'vitest';
import { ageReading, type MeterReading } from '../../../src/energy/meter-reading.js';
import type { OperationMode } from '../../../src/energy/charging-profile.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { Decision, SiteSnapshot } from '../../../src/energy/strategy.js';
import { createSolarSurplusStrategy, type SolarSurplusParams } from '../../../strategies/solar-surplus/index.js';
import { describeScenarioFolder, scenarioEvse } from '../../helpers/strategy-scenarios.js';

/**
 * Each file in the folder is a time series: steps at offsets from a fixed start, each with the
 * meter readings and EVSE states that changed (merged into the previous step's), and the
 * decisions expected. The strategy's state is threaded from step to step.
 */
interface Expected {
  evseKey: string;
  maxCurrentA?: number;
  numberPhases?: 1 | 3;
  reasonIncludes?: string;
}

interface Step {
  atS: number;
  meters?: Record<string, Omit<MeterReading, 'meterId' | 'timeMs'> & { ageS?: number }>;
  live?: Record<string, Partial<EvseLiveState>>;
  modes?: Record<string, OperationMode>;
  expect: Expected[];
}

interface Scenario {
  description: string;
  params?: Partial<SolarSurplusParams>;
  evses: (Partial<EvseModel> & { key: string })[];
  meterRoles: SiteSnapshot['meterRoles'];
  staleAfterS?: number;
  toleranceA?: number;
  steps: Step[];
}

const START_MS = Date.UTC(2025, 5, 21, 10, 0, 0);
const FOLDER = join(import.meta.dirname, '../../scenarios/strategies/solar-surplus');

function runScenario(scenario: Scenario): void {
  // The scenarios' EVs draw each decided current at once and every step's readings are of that
  // instant, so nothing needs to settle (settleS 0 unless a scenario sets it). The hold after a
  // change, for chargers that follow and report late, is tested in solar-surplus-late-ev.
  const strategy = createSolarSurplusStrategy({ settleS: 0, ...scenario.params });
  const evses = scenario.evses.map((e) => scenarioEvse(e));
  const tolerance = scenario.toleranceA ?? 0.05;
  let state = strategy.initialState();
  let meters: Step['meters'] = {};
  let live: Record<string, EvseLiveState> = Object.fromEntries(
    evses.map((e) => [e.key, { key: e.key, active: true, controllable: true }]),
  );
  let modes: Record<string, OperationMode> = {};
  for (const step of scenario.steps) {
    const nowMs = START_MS + step.atS * 1000;
    meters = { ...meters, ...step.meters };
    for (const [key, patch] of Object.entries(step.live ?? {})) {
      live = { ...live, [key]: { key, active: true, controllable: true, ...live[key], ...patch } };
    }
    modes = step.modes ?? modes;
    const snapshot: SiteSnapshot = {
      nowMs,
      circuits: [],
      evses,
      live,
      meters: Object.fromEntries(Object.entries(meters).map(([meterId, { ageS, ...r }]) => [
        meterId,
        ageReading({ ...r, meterId, timeMs: nowMs - (ageS ?? 0) * 1000 }, nowMs, scenario.staleAfterS ?? 10),
      ])),
      meterRoles: scenario.meterRoles,
      modes,
      csmsProfiles: {},
    };
    const result = strategy.decide(snapshot, state);
    state = result.state;
    for (const want of step.expect) {
      const at = `at ${step.atS} s, ${want.evseKey}`;
      const got: Decision | undefined = result.decisions.find((d) => d.evseKey === want.evseKey);
      expect(got, `${at}: a decision`).toBeDefined();
      if (!got) continue;
      if (want.maxCurrentA !== undefined) {
        expect(Math.abs((got.maxCurrentA ?? NaN) - want.maxCurrentA), `${at}: ${got.maxCurrentA} A (${got.reason})`)
          .toBeLessThanOrEqual(tolerance);
      }
      if (want.numberPhases !== undefined) expect(got.numberPhases, `${at}: phases (${got.reason})`).toBe(want.numberPhases);
      if (want.reasonIncludes !== undefined) expect(got.reason, at).toContain(want.reasonIncludes);
    }
  }
}

describeScenarioFolder<Scenario>('solar-surplus scenarios', FOLDER, 6, runScenario);
