import { join } from 'node:path';
import { expect } from 'vitest';
import type { ChargingProfile, OperationMode } from '../../../src/energy/charging-profile.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot } from '../../../src/energy/strategy.js';
import { createSetpointStrategy, type SetpointParams } from '../../../strategies/setpoint/index.js';
import { describeScenarioFolder, expectClose, scenarioEvse } from '../../helpers/strategy-scenarios.js';

/**
 * Each file: EVSEs, params, and steps at offsets (s) from START_MS (1,750,000,000,000 ms, which
 * profile times in the files are written against). A step replaces setpoints, modes and
 * profiles when it gives them and merges live states. `absent: true` expects no decision.
 */
interface Expected {
  evseKey: string;
  absent?: boolean;
  setpointW?: number;
  maxCurrentA?: number;
  dischargeLimitW?: number;
  reasonIncludes?: string;
}

interface Step {
  atS: number;
  live?: Record<string, Partial<EvseLiveState>>;
  modes?: Record<string, OperationMode>;
  setpoints?: SiteSnapshot['setpoints'];
  csmsProfiles?: Record<string, ChargingProfile[]>;
  expect: Expected[];
}

interface Scenario {
  description: string;
  params?: Partial<SetpointParams>;
  evses: (Partial<EvseModel> & { key: string })[];
  steps: Step[];
}

const START_MS = 1_750_000_000_000;
const TOLERANCE_W = 1;
const TOLERANCE_A = 0.05;
const FOLDER = join(import.meta.dirname, '../../scenarios/strategies/setpoint');

function runScenario(scenario: Scenario): void {
  const strategy = createSetpointStrategy(scenario.params);
  const evses = scenario.evses.map((e) => scenarioEvse(e, { bidirectional: true }));
  let state = strategy.initialState();
  let live: Record<string, EvseLiveState> = Object.fromEntries(
    evses.map((e) => [e.key, { key: e.key, active: true, controllable: true }]),
  );
  let modes: Record<string, OperationMode> = {};
  let setpoints: SiteSnapshot['setpoints'];
  let csmsProfiles: Record<string, ChargingProfile[]> = {};
  for (const step of scenario.steps) {
    for (const [key, patch] of Object.entries(step.live ?? {})) {
      live = { ...live, [key]: { key, active: true, controllable: true, ...live[key], ...patch } };
    }
    modes = step.modes ?? modes;
    setpoints = step.setpoints ?? setpoints;
    csmsProfiles = step.csmsProfiles ?? csmsProfiles;
    const snapshot: SiteSnapshot = {
      nowMs: START_MS + step.atS * 1000, circuits: [], evses, live, meters: {}, meterRoles: {}, modes, csmsProfiles, setpoints,
    };
    const result = strategy.decide(snapshot, state);
    state = result.state;
    for (const want of step.expect) {
      const at = `at ${step.atS} s, ${want.evseKey}`;
      const got = result.decisions.find((d) => d.evseKey === want.evseKey);
      if (want.absent) {
        expect(got, `${at}: no decision`).toBeUndefined();
        continue;
      }
      expect(got, `${at}: a decision`).toBeDefined();
      if (!got) continue;
      const why = `${at} (${got.reason})`;
      if (want.setpointW !== undefined) expectClose(got.setpointW, want.setpointW, TOLERANCE_W, `${why} setpointW`);
      if (want.maxCurrentA !== undefined) expectClose(got.maxCurrentA, want.maxCurrentA, TOLERANCE_A, `${why} maxCurrentA`);
      if (want.dischargeLimitW !== undefined) {
        expectClose(got.dischargeLimitW, want.dischargeLimitW, TOLERANCE_W, `${why} dischargeLimitW`);
      }
      if (want.reasonIncludes !== undefined) expect(got.reason, at).toContain(want.reasonIncludes);
    }
  }
}

describeScenarioFolder<Scenario>('setpoint scenarios', FOLDER, 6, runScenario);
