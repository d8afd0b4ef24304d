import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeComposite, limitAt } from '../../../src/energy/composite/index.js';

/**
 * Runs every JSON file in test/scenarios/composite/. Each file: { name, description?, request,
 * expected } where request is a CompositeRequest in which every time (a field ending in Ms) may be
 * an ISO 8601 string instead of epoch ms, and expected is the list of composite periods.
 * Adding a case is adding a file.
 */

const SCENARIO_DIR = join(import.meta.dirname, '../../scenarios/composite');

const time = z.union([z.number(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const rateUnit = z.enum(['A', 'W']);
const operationMode = z.enum([
  'Idle', 'ChargingOnly', 'CentralSetpoint', 'ExternalSetpoint', 'ExternalLimits', 'CentralFrequency',
  'LocalFrequency', 'LocalLoadBalancing',
]);

const period = z.strictObject({
  startPeriodS: z.number(),
  limit: z.number(),
  numberPhases: z.number().optional(),
  operationMode: operationMode.optional(),
  setpoint: z.number().optional(),
  dischargeLimit: z.number().optional(),
});

const profile = z.strictObject({
  id: z.number(),
  stackLevel: z.number(),
  purpose: z.enum([
    'ChargingStationMaxProfile', 'TxDefaultProfile', 'TxProfile', 'ChargingStationExternalConstraints',
    'PriorityCharging', 'LocalGeneration',
  ]),
  kind: z.enum(['Absolute', 'Recurring', 'Relative']),
  recurrency: z.enum(['Daily', 'Weekly']).optional(),
  validFromMs: time.optional(),
  validToMs: time.optional(),
  transactionId: z.string().optional(),
  evseId: z.number(),
  schedules: z.array(z.strictObject({
    startScheduleMs: time.optional(),
    durationS: z.number().optional(),
    rateUnit,
    periods: z.array(period),
  })),
});

const scenario = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  request: z.strictObject({
    nowMs: time,
    durationS: z.number(),
    evseId: z.number(),
    profiles: z.array(profile).default([]),
    transaction: z.strictObject({ id: z.string(), startedMs: time }).optional(),
    evse: z.strictObject({
      phases: z.union([z.literal(1), z.literal(3)]),
      voltageV: z.number(),
      maxCurrentA: z.number(),
      maxPowerW: z.number().optional(),
    }),
    rateUnit,
    localLimits: z.array(z.strictObject({
      source: z.string(),
      maxCurrentA: z.number().optional(),
      maxPowerW: z.number().optional(),
      numberPhases: z.number().optional(),
      fromMs: time.optional(),
      toMs: time.optional(),
    })).optional(),
    priorityCharging: z.boolean().optional(),
  }),
  expected: z.array(z.strictObject({
    startOffsetS: z.number(),
    limit: z.number(),
    numberPhases: z.number(),
    source: z.string(),
    setpoint: z.number().optional(),
    dischargeLimit: z.number().optional(),
    operationMode: operationMode.optional(),
  })).min(1),
});

const files = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).sort();
const scenarios = files.map((file) => {
  const parsed = scenario.safeParse(JSON.parse(readFileSync(join(SCENARIO_DIR, file), 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  return { file, ...parsed.data };
});

describe('composite schedule scenarios', () => {
  it('has at least 20 scenario files', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
  });

  for (const s of scenarios) {
    it(`${s.name} (${s.file})`, () => {
      const result = computeComposite(s.request);
      expect(result.periods).toEqual(s.expected);
      expect(result.scheduleStartMs).toBe(s.request.nowMs);
      expect(result.rateUnit).toBe(s.request.rateUnit);
    });

    it(`${s.name}: limitAt agrees at the start of every expected period (${s.file})`, () => {
      for (const p of s.expected) {
        const { startOffsetS: _offset, ...atInstant } = p;
        expect(limitAt(s.request, s.request.nowMs + p.startOffsetS * 1000)).toEqual(atInstant);
      }
    });
  }
});
