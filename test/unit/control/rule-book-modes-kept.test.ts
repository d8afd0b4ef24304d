import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileRules, rulesConfigSchema } from '../../../src/control/cron-rules.js';
import { EvseControls } from '../../../src/control/evse-controls.js';
import { OPERATION_MODES } from '../../../src/control/operation-modes.js';
import { RuleBook } from '../../../src/control/rule-book.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { anEvse } from './builders.js';

/** 2026-01-05 is a Monday. */
const T0 = Date.UTC(2026, 0, 5, 0, 0);
const KEYS = ['A/1', 'A/2', 'B/1', 'C/1'];

const RULES = compileRules(
  rulesConfigSchema.parse({
    timezone: 'UTC',
    list: [
      { id: 'morning-a', cron: '0 6 * * *', durationMin: 180, modes: { 'A/1': 'Idle' } },
      { id: 'noon-all', cron: '0 8 * * *', durationMin: 240, modes: { '*': 'ExternalLimits', 'B/1': 'ChargingOnly' } },
      { id: 'evening-limit', cron: '0 17 * * *', durationMin: 240, siteLimitW: 40_000 },
      { id: 'evening-c', cron: '30 18 * * *', durationMin: 60, modes: { 'C/1': 'Idle' } },
    ],
  }),
);

const op = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant('mode' as const), key: fc.constantFrom(...KEYS), mode: fc.option(fc.constantFrom(...OPERATION_MODES), { nil: null }), source: fc.constantFrom('api', 'mqtt') }),
  fc.record({ kind: fc.constant('read' as const) }),
);

describe('the rule book keeps every EVSE mode between changes', () => {
  it('gives at every instant what building the modes afresh gives, whatever the settings and the rules in force do', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const clock = new FakeClock(T0);
        const controls = new EvseControls({ log: silentLogger(), evses: KEYS.map((k) => anEvse(k)), nowMs: () => clock.nowMs(), onChange: () => undefined });
        for (const key of KEYS) controls.configure(key, { priority: 1, mode: 'LocalLoadBalancing' });
        const common = {
          clock,
          log: silentLogger(),
          rules: RULES,
          standingModes: () => controls.standingModes(),
          standingSources: () => controls.standingModeSources(),
          meterRoles: {},
          onEdge: () => undefined,
        };
        const kept = new RuleBook({ ...common, standingVersion: () => controls.standingVersion() });
        const afresh = new RuleBook(common);
        const check = (): void => {
          const now = clock.nowMs();
          const a = kept.inputs(now, {});
          const b = afresh.inputs(now, {});
          expect(a.modes).toEqual(b.modes);
          expect(a.modeSources).toEqual(b.modeSources);
          expect(a.siteLimitW).toEqual(b.siteLimitW);
        };
        check();
        for (const o of ops) {
          if (o.kind === 'advance') clock.advanceMs(o.minutes * 60_000);
          else if (o.kind === 'mode') controls.update(o.key, { mode: o.mode }, o.source);
          check();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('builds the modes again only when a setting or the rules in force changed', () => {
    const clock = new FakeClock(T0 + 12 * 3_600_000);
    const controls = new EvseControls({ log: silentLogger(), evses: KEYS.map((k) => anEvse(k)), nowMs: () => clock.nowMs(), onChange: () => undefined });
    for (const key of KEYS) controls.configure(key, { priority: 1, mode: 'LocalLoadBalancing' });
    const book = new RuleBook({
      clock,
      log: silentLogger(),
      rules: RULES,
      standingModes: () => controls.standingModes(),
      standingSources: () => controls.standingModeSources(),
      standingVersion: () => controls.standingVersion(),
      meterRoles: {},
      onEdge: () => undefined,
    });
    const first = book.inputs(clock.nowMs(), {}).modes;
    clock.advanceMs(60_000);
    expect(book.inputs(clock.nowMs(), {}).modes).toBe(first);
    controls.update('A/2', { mode: 'Idle' }, 'api');
    const changed = book.inputs(clock.nowMs(), {}).modes;
    expect(changed).not.toBe(first);
    expect(changed['A/2']).toBe('Idle');
    clock.advanceMs(6 * 3_600_000 + 30 * 60_000); // 18:31, the evening-c rule in force
    expect(book.inputs(clock.nowMs(), {}).modes['C/1']).toBe('Idle');
  });
});
