import { expect } from 'vitest';
import { validatePayload } from '../../../../src/ocpp/schema-validator.js';
import type { OcppVersion } from '../../../../src/ocpp/versions.js';
import {
  answerCharger,
  answerCsms,
  assign,
  DEFAULT_HUB_MODE_CONFIG,
  EMPTY_MAPPING,
  flushDueBatches,
  fromCharger,
  initialHubState,
  planCsmsCall,
  type DownstreamConnectorKey,
  type HubModeConfig,
  type HubState,
  type UpstreamMessage,
} from '../../../../src/upstream/hub-mode/index.js';

/** A message the hub sends upstream; `payload` is matched partially (toMatchObject). */
export interface ExpectedUpstream {
  action: string;
  payload?: Record<string, unknown>;
}

export type Step =
  | {
      /** A downstream charger's CALL. */
      from: { stationId: string; version: OcppVersion; action: string; payload: unknown };
      atMs: number;
      options?: { offline?: boolean; chargerTransactionId?: number };
      /** The CSMS's answer to the upstream message the charger's answer depends on. */
      upstreamConf?: unknown;
      expectUpstream: ExpectedUpstream[];
      expectAnswer?: unknown;
    }
  | {
      /** A CSMS CALL to the hub. */
      csms: { action: string; payload: unknown };
      atMs: number;
      expectCalls?: { stationId: string; action: string; payload?: Record<string, unknown> }[];
      /** The chargers' answers to the calls, in order (null = no answer). */
      results?: unknown[];
      expectAnswer: unknown;
    }
  | { flushAtMs: number; expectUpstream: ExpectedUpstream[] };

export interface Scenario {
  name: string;
  config?: Partial<HubModeConfig>;
  /** Downstream connectors mapped before the first step, in this order. */
  mapped?: DownstreamConnectorKey[];
  /** Which version each connected station speaks (for CSMS calls). */
  stations?: Record<string, OcppVersion>;
  steps: Step[];
}

function checkUpstream(version: OcppVersion, messages: UpstreamMessage[]): void {
  for (const m of messages) {
    const error = validatePayload(version, m.action, 'req', m.payload);
    expect(error?.message, `${m.action} ${JSON.stringify(m.payload)}`).toBeUndefined();
  }
}

function checkAgainst(expected: ExpectedUpstream[], actual: UpstreamMessage[]): void {
  expect(actual.map((m) => m.action)).toEqual(expected.map((e) => e.action));
  expected.forEach((e, i) => {
    if (e.payload) expect(actual[i]?.payload).toMatchObject(e.payload);
  });
}

/** Runs a scenario; returns the final state. Every payload produced is checked against the schemas. */
export function runScenario(s: Scenario): HubState {
  const config: HubModeConfig = { ...DEFAULT_HUB_MODE_CONFIG, ...s.config };
  let state = initialHubState(assign(EMPTY_MAPPING, s.mapped ?? []).mapping);
  const versionOf = (stationId: string): OcppVersion | undefined => s.stations?.[stationId];
  s.steps.forEach((step, index) => {
    const where = `step ${index}`;
    if ('from' in step) {
      const r = fromCharger(state, config, { ...step.from, receivedMs: step.atMs }, step.options ?? {});
      state = r.state;
      checkUpstream(config.upstreamVersion, r.upstream);
      checkAgainst(step.expectUpstream, r.upstream);
      const reply = answerCharger(r.answer, step.upstreamConf === undefined ? {} : { upstreamConf: step.upstreamConf });
      if (reply !== undefined) {
        const error = validatePayload(step.from.version, step.from.action, 'conf', reply);
        expect(error?.message, `${where}: answer ${JSON.stringify(reply)}`).toBeUndefined();
      }
      if (step.expectAnswer !== undefined) expect(reply, where).toEqual(step.expectAnswer);
    } else if ('csms' in step) {
      const planned = planCsmsCall(state, config, { ...step.csms, nowMs: step.atMs }, versionOf);
      state = planned.state;
      const calls = planned.plan.kind === 'forward' ? planned.plan.calls : [];
      for (const c of calls) {
        const error = validatePayload(c.version, c.action, 'req', c.payload);
        expect(error?.message, `${where}: ${c.action} ${JSON.stringify(c.payload)}`).toBeUndefined();
      }
      if (step.expectCalls) {
        expect(calls.map((c) => [c.stationId, c.action])).toEqual(step.expectCalls.map((c) => [c.stationId, c.action]));
        step.expectCalls.forEach((c, i) => {
          if (c.payload) expect(calls[i]?.payload).toMatchObject(c.payload);
        });
      }
      const results = (step.results ?? []).map((r) => (r === null ? undefined : r));
      const answered = answerCsms(state, planned.plan, results);
      state = answered.state;
      const error = validatePayload(config.upstreamVersion, step.csms.action, 'conf', answered.payload);
      expect(error?.message, `${where}: answer ${JSON.stringify(answered.payload)}`).toBeUndefined();
      expect(answered.payload, where).toEqual(step.expectAnswer);
    } else {
      const r = flushDueBatches(state, config, step.flushAtMs);
      state = r.state;
      checkUpstream(config.upstreamVersion, r.upstream);
      checkAgainst(step.expectUpstream, r.upstream);
    }
  });
  return state;
}
