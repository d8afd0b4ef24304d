/**
 * The W5 request: one 3-phase EVSE with a running transaction, 10 stacked charging profiles of
 * mixed kinds (Absolute, daily Recurring, Relative) and purposes, and 2 local limits, over a
 * 24 h horizon. Drawn from a seeded generator, so every run computes the same request. Every
 * time in it falls on a whole minute, so a per-minute evaluation sees every change.
 */
import type { ChargingProfile, ChargingProfileKind, ChargingProfilePurpose, RateUnit, SchedulePeriod } from '../src/energy/charging-profile.js';
import type { CompositeRequest } from '../src/energy/composite/index.js';
import { validateProfile } from '../src/energy/composite/index.js';
import { createPrng, type Prng } from '../src/sim/prng.js';

const MINUTE_MS = 60_000;
const HOUR_S = 3600;
const DAY_S = 86_400;

/** Sunday 22 November 2026, 06:30 UTC. */
const NOW_MS = Date.UTC(2026, 10, 22, 6, 30);
const TRANSACTION = { id: 'TX-W5', startedMs: NOW_MS - 45 * MINUTE_MS };

function schedulePeriods(prng: Prng, spanS: number, unit: RateUnit): SchedulePeriod[] {
  const count = prng.int(6, 24);
  const starts = new Set<number>([0]);
  while (starts.size < count) starts.add(prng.int(1, spanS / 60 - 1) * 60);
  return [...starts]
    .sort((a, b) => a - b)
    .map((startPeriodS) => ({
      startPeriodS,
      limit: unit === 'A' ? prng.int(6, 32) : prng.int(4, 22) * 1000,
      ...(prng.next() < 0.2 ? { numberPhases: 1 } : {}),
    }));
}

interface Shape {
  purpose: ChargingProfilePurpose;
  kind: ChargingProfileKind;
  evseId: number;
  stackLevel: number;
  unit: RateUnit;
}

/** Which profiles: the purposes stack on several levels, and each purpose mixes kinds. */
const SHAPES: readonly Shape[] = [
  { purpose: 'ChargingStationMaxProfile', kind: 'Absolute', evseId: 0, stackLevel: 0, unit: 'A' },
  { purpose: 'ChargingStationExternalConstraints', kind: 'Recurring', evseId: 0, stackLevel: 0, unit: 'W' },
  { purpose: 'TxDefaultProfile', kind: 'Recurring', evseId: 0, stackLevel: 0, unit: 'A' },
  { purpose: 'TxDefaultProfile', kind: 'Absolute', evseId: 0, stackLevel: 1, unit: 'W' },
  { purpose: 'TxDefaultProfile', kind: 'Recurring', evseId: 1, stackLevel: 2, unit: 'A' },
  { purpose: 'TxDefaultProfile', kind: 'Relative', evseId: 1, stackLevel: 3, unit: 'A' },
  { purpose: 'TxProfile', kind: 'Absolute', evseId: 1, stackLevel: 0, unit: 'A' },
  { purpose: 'TxProfile', kind: 'Relative', evseId: 1, stackLevel: 1, unit: 'W' },
  { purpose: 'TxProfile', kind: 'Absolute', evseId: 1, stackLevel: 2, unit: 'A' },
  { purpose: 'TxProfile', kind: 'Relative', evseId: 1, stackLevel: 3, unit: 'A' },
];

function profileOf(prng: Prng, shape: Shape, id: number): ChargingProfile {
  const minutes = (n: number) => n * MINUTE_MS;
  let startScheduleMs: number | undefined;
  let durationS: number;
  if (shape.kind === 'Recurring') {
    // a daily cycle anchored at some minute of an earlier day
    startScheduleMs = Date.UTC(2026, 10, 20) + minutes(prng.int(0, 24 * 60 - 1));
    durationS = prng.int(12, 24) * HOUR_S;
  } else if (shape.kind === 'Absolute') {
    startScheduleMs = NOW_MS + minutes(prng.int(-6 * 60, 12 * 60));
    durationS = prng.int(4, 20) * HOUR_S;
  } else {
    durationS = prng.int(2, 10) * HOUR_S;
  }
  const validity = prng.next() < 0.4
    ? { validFromMs: NOW_MS + minutes(prng.int(-60, 6 * 60)), validToMs: NOW_MS + minutes(prng.int(8 * 60, 30 * 60)) }
    : {};
  return {
    id,
    stackLevel: shape.stackLevel,
    purpose: shape.purpose,
    kind: shape.kind,
    ...(shape.kind === 'Recurring' ? { recurrency: 'Daily' as const } : {}),
    ...validity,
    ...(shape.purpose === 'TxProfile' ? { transactionId: TRANSACTION.id } : {}),
    evseId: shape.evseId,
    schedules: [
      {
        ...(startScheduleMs !== undefined ? { startScheduleMs } : {}),
        durationS: Math.min(durationS, DAY_S),
        rateUnit: shape.unit,
        periods: schedulePeriods(prng, Math.min(durationS, DAY_S), shape.unit),
      },
    ],
  };
}

export function compositeRequest(seed: number): CompositeRequest {
  const prng = createPrng(seed);
  const profiles = SHAPES.map((shape, i) => profileOf(prng, shape, 100 + i));
  for (const p of profiles) {
    const problem = validateProfile(p, { activeTransactionId: TRANSACTION.id });
    if (problem) throw new Error(`benchmark profile ${p.id} is invalid: ${problem}`);
  }
  return {
    nowMs: NOW_MS,
    durationS: DAY_S,
    evseId: 1,
    profiles,
    transaction: TRANSACTION,
    evse: { phases: 3, voltageV: 230, maxCurrentA: 32 },
    rateUnit: 'A',
    localLimits: [
      { source: 'circuit:level-2', maxCurrentA: 20, fromMs: NOW_MS + 2 * HOUR_S * 1000, toMs: NOW_MS + 10 * HOUR_S * 1000 },
      { source: 'strategy:solar-surplus', maxPowerW: 7000, fromMs: NOW_MS + 9 * HOUR_S * 1000 + 17 * MINUTE_MS, toMs: NOW_MS + 17 * HOUR_S * 1000 },
    ],
  };
}
