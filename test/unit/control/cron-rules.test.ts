import { describe, it, expect } from 'vitest';
import {
  activeRules, compileRules, nextRuleEdgeMs, ruleEffects, ruleVariables, rulesConfigSchema, type CompiledRule,
} from '../../../src/control/cron-rules.js';
import { RuleBook } from '../../../src/control/rule-book.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

/** 2026-01-05 is a Monday. */
const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 0, day, hour, minute);

function rules(list: unknown[], timezone = 'UTC'): { rules: CompiledRule[]; timezone: string } {
  return compileRules(rulesConfigSchema.parse({ timezone, list }));
}

const EVENING = { id: 'evening', cron: '0 17 * * 1-5', durationMin: 240, siteLimitW: 50_000 };
const NIGHT = { id: 'night', cron: '0 22 * * *', durationMin: 480, siteLimitW: 11_000 };

function activeIds(r: { rules: CompiledRule[]; timezone: string }, ms: number): string[] {
  return activeRules(r.rules, ms, r.timezone).map((a) => a.rule.id);
}

describe('cron rule windows', () => {
  it('are active from the start minute and inactive from the end minute', () => {
    const r = rules([EVENING]);
    expect(activeIds(r, at(5, 16, 59))).toEqual([]);
    expect(activeIds(r, at(5, 17, 0))).toEqual(['evening']);
    expect(activeIds(r, at(5, 21, 0) - 1)).toEqual(['evening']);
    expect(activeIds(r, at(5, 21, 0))).toEqual([]);
  });

  it('report when the window started and when it ends', () => {
    const [a] = activeRules(rules([EVENING]).rules, at(5, 18, 30), 'UTC');
    expect(a).toMatchObject({ sinceMs: at(5, 17), untilMs: at(5, 21) });
  });

  it('cross midnight into the next day', () => {
    const r = rules([NIGHT]);
    expect(activeIds(r, at(5, 23, 30))).toEqual(['night']);
    expect(activeIds(r, at(6, 2, 0))).toEqual(['night']);
    expect(activeIds(r, at(6, 6, 0))).toEqual([]);
  });

  it('follow the weekday filter by the day the window starts', () => {
    const r = rules([EVENING, { id: 'friday-night', cron: '0 22 * * fri', durationMin: 600, siteLimitW: 5000 }]);
    expect(activeIds(r, at(10, 18, 0))).toEqual([]); // Saturday
    expect(activeIds(r, at(9, 18, 0))).toEqual(['evening']); // Friday
    expect(activeIds(r, at(10, 7, 59))).toEqual(['friday-night']); // Saturday morning, started Friday
    expect(activeIds(r, at(11, 7, 59))).toEqual([]); // Sunday morning
  });

  it('read the cron expression in the configured time zone', () => {
    const r = rules([EVENING], 'Europe/Berlin'); // UTC+1 in January
    expect(activeIds(r, at(5, 16, 0))).toEqual(['evening']);
    expect(activeIds(r, at(5, 20, 0))).toEqual([]);
    const summer = Date.UTC(2026, 6, 6, 15, 0); // Monday 17:00 in Berlin (UTC+2)
    expect(activeIds(r, summer)).toEqual(['evening']);
    expect(activeIds(r, summer - 60_000)).toEqual([]);
  });

  it('give the next start or end as the next edge', () => {
    const r = rules([EVENING, NIGHT]);
    expect(nextRuleEdgeMs(r.rules, at(5, 12, 0), 'UTC')).toBe(at(5, 17));
    expect(nextRuleEdgeMs(r.rules, at(5, 17, 0), 'UTC')).toBe(at(5, 21));
    expect(nextRuleEdgeMs(r.rules, at(5, 21, 0), 'UTC')).toBe(at(5, 22));
    expect(nextRuleEdgeMs(r.rules, at(9, 22, 30), 'UTC')).toBe(at(10, 6)); // Friday night: next is its end
    expect(nextRuleEdgeMs(r.rules, at(10, 6, 0), 'UTC')).toBe(at(10, 22)); // Saturday: no evening rule
  });
});

describe('cron rule effects', () => {
  it('take the tightest site limit of the active rules, with the rule as source', () => {
    const r = rules([EVENING, { id: 'peak', cron: '30 17 * * *', durationMin: 30, siteLimitW: 20_000 }]);
    const effects = ruleEffects(activeRules(r.rules, at(5, 17, 45), 'UTC'), {}, []);
    expect(effects.siteLimitW).toMatchObject({ powerW: 20_000, source: 'rule:peak' });
  });

  it('compute a limit from a mathjs expression over the readings', () => {
    const r = rules([{ id: 'pv', cron: '0 8 * * *', durationMin: 600, siteLimitW: 'max(2000, pvW - gridW)' }]);
    const effects = ruleEffects(activeRules(r.rules, at(5, 12), 'UTC'), { pvW: 7000, gridW: -1000 }, []);
    expect(effects.siteLimitW).toMatchObject({ powerW: 8000, source: 'rule:pv' });
  });

  it('give the expression pvW as production, positive, from the PV meter and leave out stale readings', () => {
    const meters = {
      pv: { meterId: 'pv', timeMs: at(5, 12), powerW: -4000, ageS: 1, stale: false },
      grid: { meterId: 'grid', timeMs: at(5, 11), powerW: 300, ageS: 3600, stale: true },
    };
    const vars = ruleVariables({ meters, meterRoles: { pvMeterId: 'pv', gridMeterId: 'grid' } }, at(5, 12, 15), 'UTC');
    expect(vars).toEqual({ pvW: 4000, hour: 12, minute: 15, weekday: 1 });
  });

  it('fall back when a reading the expression needs is missing, and say so', () => {
    const r = rules([{ id: 'pv', cron: '0 8 * * *', durationMin: 600, siteLimitW: 'pvW + 1000', fallbackSiteLimitW: 3000 }]);
    const effects = ruleEffects(activeRules(r.rules, at(5, 12), 'UTC'), { hour: 12 }, []);
    expect(effects.siteLimitW).toMatchObject({ powerW: 3000, source: 'rule:pv' });
    expect(effects.problems[0]).toMatch(/pvW is unknown/);
  });

  it('apply no limit when an expression fails without a fallback', () => {
    const r = rules([{ id: 'pv', cron: '0 8 * * *', durationMin: 600, siteLimitW: 'pvW + 1000' }]);
    const effects = ruleEffects(activeRules(r.rules, at(5, 12), 'UTC'), {}, []);
    expect(effects.siteLimitW).toBeUndefined();
    expect(effects.problems).toHaveLength(1);
  });

  it('set modes: a rule naming the EVSE beats a rule for every EVSE', () => {
    const r = rules([
      { id: 'all-idle', cron: '0 0 * * *', durationMin: 1440, modes: { '*': 'Idle' } },
      { id: 'v2x', cron: '0 0 * * *', durationMin: 1440, modes: { 'A/1': 'ExternalSetpoint' } },
    ]);
    const effects = ruleEffects(activeRules(r.rules, at(5, 12), 'UTC'), {}, ['A/1', 'B/1']);
    expect(effects.modes).toEqual({ 'A/1': { mode: 'ExternalSetpoint', source: 'rule:v2x' }, 'B/1': { mode: 'Idle', source: 'rule:all-idle' } });
  });
});

describe('the rules block of a site config', () => {
  const pathsOf = (block: unknown) => {
    const r = rulesConfigSchema.safeParse(block);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  it('rejects a bad cron expression at its field', () => {
    expect(pathsOf({ list: [{ id: 'x', cron: '61 * * * *', durationMin: 10, siteLimitW: 1 }] })).toEqual(['list.0.cron']);
    expect(pathsOf({ list: [{ id: 'x', cron: '0 0 0 * * *', durationMin: 10, siteLimitW: 1 }] })).toEqual(['list.0.cron']);
    expect(pathsOf({ list: [{ id: 'x', cron: '0 0 L * *', durationMin: 10, siteLimitW: 1 }] })).toEqual(['list.0.cron']);
  });

  it('rejects an expression with an unknown variable at its field', () => {
    expect(pathsOf({ list: [{ id: 'x', cron: '0 0 * * *', durationMin: 10, siteLimitW: 'solarW * 2' }] })).toEqual(['list.0.siteLimitW']);
  });

  it('rejects a rule that does nothing, an unknown time zone and a repeated id', () => {
    expect(pathsOf({ list: [{ id: 'x', cron: '0 0 * * *', durationMin: 10 }] })).toEqual(['list.0.siteLimitW']);
    expect(pathsOf({ timezone: 'Mars/Olympus', list: [] })).toEqual(['timezone']);
    expect(pathsOf({ list: [EVENING, EVENING] })).toEqual(['list.1.id']);
  });
});

describe('the rule book', () => {
  it('asks for a decision exactly at each window edge, timed by the injected clock', () => {
    const clock = new FakeClock(at(5, 16, 0));
    const edges: number[] = [];
    const book = new RuleBook({
      clock,
      log: silentLogger(),
      rules: rules([EVENING]),
      standingModes: () => ({ 'A/1': 'LocalLoadBalancing' }),
      meterRoles: {},
      onEdge: () => edges.push(clock.nowMs()),
    });
    book.start();
    clock.advanceMs(24 * 3_600_000);
    book.stop();
    expect(edges).toEqual([at(5, 17), at(5, 21)]);
  });

  it('gives the standing mode unless a rule says otherwise, with where it came from', () => {
    const clock = new FakeClock(at(5, 12, 0));
    const book = new RuleBook({
      clock,
      log: silentLogger(),
      rules: rules([{ id: 'evening-idle', cron: '0 17 * * *', durationMin: 60, modes: { 'A/1': 'Idle' } }]),
      standingModes: () => ({ 'A/1': 'ChargingOnly', 'B/1': 'LocalFrequency' }),
      meterRoles: {},
      onEdge: () => undefined,
    });
    expect(book.inputs(at(5, 12), {}).modes).toEqual({ 'A/1': 'ChargingOnly', 'B/1': 'LocalFrequency' });
    const evening = book.inputs(at(5, 17, 30), {});
    expect(evening.modes).toEqual({ 'A/1': 'Idle', 'B/1': 'LocalFrequency' });
    expect(evening.modeSources).toEqual({ 'A/1': 'rule:evening-idle', 'B/1': 'setting' });
  });
});
