import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChargingProfile } from '../../../src/energy/charging-profile.js';
import { compositeSchedule, effectiveLimitA, type ProfileEvalContext } from '../../../src/sim/profile-eval.js';

interface JsonSchedule {
  startSchedule?: string;
  durationS?: number;
  rateUnit: 'A' | 'W';
  periods: { startPeriodS: number; limit: number; numberPhases?: number }[];
}

interface JsonProfile extends Omit<ChargingProfile, 'schedules' | 'validFromMs' | 'validToMs'> {
  validFrom?: string;
  validTo?: string;
  schedules: JsonSchedule[];
}

interface Case {
  name: string;
  context: { evseId: number; now: string; transactionId?: string; txStart?: string; voltageV: number; phases: number };
  profiles: JsonProfile[];
  checks: { at: string; limitA: number | null; source?: string }[];
}

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

function toProfile(p: JsonProfile): ChargingProfile {
  const { validFrom, validTo, schedules, ...rest } = p;
  return {
    ...rest,
    validFromMs: ms(validFrom),
    validToMs: ms(validTo),
    schedules: schedules.map(({ startSchedule, ...s }) => ({ ...s, startScheduleMs: ms(startSchedule) })),
  };
}

function toContext(c: Case['context']): ProfileEvalContext {
  return {
    evseId: c.evseId,
    nowMs: Date.parse(c.now),
    transactionId: c.transactionId,
    txStartMs: ms(c.txStart),
    voltageV: c.voltageV,
    phases: c.phases,
  };
}

const dir = join(import.meta.dirname, 'profile-eval-cases');
const cases: Case[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Case);

describe('profile evaluation scenarios', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const profiles = c.profiles.map(toProfile);
    const ctx = toContext(c.context);
    for (const check of c.checks) {
      const got = effectiveLimitA(profiles, Date.parse(check.at), ctx);
      if (check.limitA === null) expect(got, check.at).toBeUndefined();
      else expect(got?.limitA, check.at).toBeCloseTo(check.limitA, 6);
      if (check.source) expect(got?.source, check.at).toBe(check.source);
    }
  });
});

describe('the composite schedule of the simulator', () => {
  const ctx: ProfileEvalContext = { evseId: 1, nowMs: Date.parse('2026-01-05T16:00:00Z'), voltageV: 230, phases: 3 };
  const daily: ChargingProfile = {
    id: 4,
    stackLevel: 0,
    purpose: 'TxDefaultProfile',
    kind: 'Recurring',
    recurrency: 'Daily',
    evseId: 0,
    schedules: [
      {
        startScheduleMs: Date.parse('2026-01-01T00:00:00Z'),
        rateUnit: 'A',
        periods: [
          { startPeriodS: 0, limit: 32 },
          { startPeriodS: 61_200, limit: 8 },
          { startPeriodS: 79_200, limit: 32 },
        ],
      },
    ],
  };

  it('lists the periods relative to now, capped by the EVSE maximum', () => {
    const periods = compositeSchedule([daily], ctx, 8 * 3600, 'A', 16);
    expect(periods.map((p) => [p.startPeriodS, p.limit])).toEqual([
      [0, 16],
      [3600, 8],
      [6 * 3600, 16],
    ]);
  });

  it('reports the EVSE maximum in W when no profile applies', () => {
    expect(compositeSchedule([], ctx, 3600, 'W', 16)).toEqual([{ startPeriodS: 0, limit: 16 * 230 * 3, numberPhases: 3 }]);
  });
});
