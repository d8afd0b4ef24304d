import type { ChargingProfile, SchedulePeriod } from '../../../src/energy/charging-profile.js';
import type { CompositeRequest } from '../../../src/energy/composite/index.js';

/** A TxDefaultProfile on EVSE 1, absolute from the epoch, 16 A; override what the test is about. */
export function aProfile(overrides: Partial<ChargingProfile> = {}): ChargingProfile {
  return {
    id: 1,
    stackLevel: 0,
    purpose: 'TxDefaultProfile',
    kind: 'Absolute',
    evseId: 1,
    schedules: [{ startScheduleMs: 0, rateUnit: 'A', periods: [{ startPeriodS: 0, limit: 16 }] }],
    ...overrides,
  };
}

export function withPeriods(profile: ChargingProfile, periods: SchedulePeriod[]): ChargingProfile {
  const [first, ...rest] = profile.schedules;
  return { ...profile, schedules: [{ rateUnit: 'A', ...first, periods }, ...rest] };
}

/** A request for EVSE 1 (3 x 230 V, 32 A) over one hour from 2025-01-06 10:00 UTC, in A. */
export function aRequest(overrides: Partial<CompositeRequest> = {}): CompositeRequest {
  return {
    nowMs: Date.parse('2025-01-06T10:00:00Z'),
    durationS: 3600,
    evseId: 1,
    profiles: [],
    evse: { phases: 3, voltageV: 230, maxCurrentA: 32 },
    rateUnit: 'A',
    ...overrides,
  };
}
