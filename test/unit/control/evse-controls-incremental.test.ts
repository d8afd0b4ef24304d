import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CONFIG_SOURCE, EvseControls, MAX_PRIORITY, maxCurrentLimitSource, type ConfiguredEvse, type EvseSettingsPatch, type SettingValue } from '../../../src/control/evse-controls.js';
import { OPERATION_MODES } from '../../../src/control/operation-modes.js';
import { ApiError } from '../../../src/api/errors.js';
import type { OperationMode } from '../../../src/energy/charging-profile.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { SolarMode } from '../../../src/energy/solar-mode.js';
import { openStore } from '../../../src/store/store.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { anEvse } from './builders.js';

/**
 * EvseControls keeps its tables (modes and their sources, solar modes, max-current caps, the
 * models' priorities) per EVSE as settings change. Reference: the tables built from scratch over
 * every configured EVSE from what was configured and set (the build it replaced, site-wide), with
 * the checks done on a linear search of the models. Any sequence of configure / forget (the
 * model array spliced first, as commissioning does) / update / read / restart must give the same
 * tables, and a table once read never changes under its reader. Changes made durably (applied
 * once committed, as the REST API makes them) interleaved with immediate ones end as the store
 * does: last write wins per setting, and a restart reads back what the hub acts on.
 */

const RANGES: Record<string, { minCurrentA: number; maxCurrentA: number }> = {
  'cs1/1': { minCurrentA: 6, maxCurrentA: 16 },
  'cs1/2': { minCurrentA: 8, maxCurrentA: 32 },
  'cs2/1': { minCurrentA: 6, maxCurrentA: 10 },
  'cs3/1': { minCurrentA: 10, maxCurrentA: 20 },
};
const KEYS = Object.keys(RANGES);
const modelOf = (key: string): EvseModel => anEvse(key, RANGES[key]);

type Name = keyof EvseSettingsPatch;
const NAMES: readonly Name[] = ['priority', 'mode', 'solarMode', 'maxCurrentA'];
type Overrides = Partial<Record<Name, SettingValue<unknown>>>;

interface Tables {
  standing: Record<string, OperationMode>;
  sources: Record<string, string>;
  solar: Record<string, SolarMode>;
  caps: Record<string, CurrentLimit[]>;
  priorities: Record<string, number>;
  views: Record<string, unknown>;
}

/** What was configured and set, as plain data; tables are built from it from scratch. */
class Reference {
  readonly configured = new Map<string, ConfiguredEvse>();
  readonly overrides = new Map<string, Overrides>();
  /** What the store holds: the last write of each setting (null deletes). */
  readonly stored = new Map<string, Map<Name, { value: unknown; source: string; updatedMs: number }>>();

  constructor(readonly evses: EvseModel[]) {}

  problem(key: string, name: Name, value: unknown): string | undefined {
    if (value === null) return undefined;
    const model = this.evses.find((e) => e.key === key);
    if (!model) return 'no model';
    if (name === 'priority') return typeof value === 'number' && value > 0 && value <= MAX_PRIORITY ? undefined : 'priority';
    if (name === 'mode') return OPERATION_MODES.some((m) => m === value) ? undefined : 'mode';
    if (name === 'solarMode') return this.configured.get(key)?.solarMode !== undefined ? undefined : 'solar';
    return typeof value === 'number' && value >= model.minCurrentA && value <= model.maxCurrentA ? undefined : 'max';
  }

  /** Whether the update is accepted, and then applied and stored. */
  update(key: string, patch: EvseSettingsPatch, source: string, nowMs: number): boolean {
    if (!this.configured.has(key)) return false;
    const names = NAMES.filter((n) => patch[n] !== undefined);
    if (names.length === 0 || names.some((n) => this.problem(key, n, patch[n]) !== undefined)) return false;
    const o = { ...(this.overrides.get(key) ?? {}) };
    const stored = this.stored.get(key) ?? new Map<Name, { value: unknown; source: string; updatedMs: number }>();
    this.stored.set(key, stored);
    for (const n of names) {
      const value = patch[n];
      if (value === null || value === undefined) {
        delete o[n];
        stored.delete(n);
      } else {
        o[n] = { value, source, updatedMs: nowMs };
        stored.set(n, { value, source, updatedMs: nowMs });
      }
    }
    this.overrides.set(key, o);
    return true;
  }

  /** A restart: the stored settings of the configured EVSEs, those the config still allows. */
  restarted(): Reference {
    const again = new Reference(this.evses);
    for (const [key, c] of this.configured) again.configured.set(key, c);
    for (const [key, settings] of this.stored) {
      again.stored.set(key, new Map(settings));
      if (!again.configured.has(key)) continue;
      const o: Overrides = {};
      for (const [n, s] of settings) if (again.problem(key, n, s.value) === undefined) o[n] = { ...s };
      again.overrides.set(key, o);
    }
    return again;
  }

  /** Every table, built over all configured EVSEs. */
  tables(): Tables {
    const t: Tables = { standing: {}, sources: {}, solar: {}, caps: {}, priorities: {}, views: {} };
    for (const [key, c] of this.configured) {
      const o = this.overrides.get(key) ?? {};
      t.standing[key] = (o.mode?.value as OperationMode | undefined) ?? c.mode;
      t.sources[key] = o.mode?.source ?? CONFIG_SOURCE;
      t.priorities[key] = (o.priority?.value as number | undefined) ?? c.priority;
      if (o.solarMode) t.solar[key] = o.solarMode.value as SolarMode;
      if (o.maxCurrentA) {
        const a = o.maxCurrentA.value as number;
        t.caps[key] = [{ maxCurrentA: a, source: maxCurrentLimitSource(o.maxCurrentA.source), reason: `max current set to ${a} A` }];
      }
      const solarMode = o.solarMode ?? (c.solarMode !== undefined ? { value: c.solarMode, source: CONFIG_SOURCE } : undefined);
      t.views[key] = {
        priority: o.priority ?? { value: c.priority, source: CONFIG_SOURCE },
        mode: o.mode ?? { value: c.mode, source: CONFIG_SOURCE },
        ...(solarMode ? { solarMode } : {}),
        ...(o.maxCurrentA ? { maxCurrentA: o.maxCurrentA } : {}),
      };
    }
    return t;
  }
}

function tablesOf(controls: EvseControls, evses: EvseModel[], keys: Iterable<string>): Tables {
  const t: Tables = {
    standing: { ...controls.standingModes() },
    sources: { ...controls.standingModeSources() },
    solar: { ...controls.solarModes() },
    caps: structuredClone({ ...controls.maxCurrentCaps() }),
    priorities: {},
    views: {},
  };
  for (const key of keys) {
    const model = evses.find((e) => e.key === key);
    if (model) t.priorities[key] = model.priority;
    t.views[key] = controls.view(key);
  }
  return t;
}

const configuredArb: fc.Arbitrary<ConfiguredEvse> = fc.record(
  {
    priority: fc.integer({ min: 1, max: 5 }),
    mode: fc.constantFrom<OperationMode>('LocalLoadBalancing', 'Idle', 'ExternalLimits'),
    solarMode: fc.constantFrom<SolarMode>('off', 'now', 'min+pv', 'pv'),
  },
  { requiredKeys: ['priority', 'mode'] },
);

const patchArb: fc.Arbitrary<EvseSettingsPatch> = fc.record(
  {
    priority: fc.oneof(fc.constant(null), fc.integer({ min: -1, max: 1002 })),
    mode: fc.oneof(fc.constant(null), fc.constantFrom<OperationMode>('LocalLoadBalancing', 'Idle', 'ExternalLimits')),
    solarMode: fc.oneof(fc.constant(null), fc.constantFrom<SolarMode>('off', 'now', 'pv')),
    maxCurrentA: fc.oneof(fc.constant(null), fc.integer({ min: 4, max: 34 })),
  },
  { requiredKeys: [] },
);

type Step =
  | { op: 'update'; key: string; patch: EvseSettingsPatch; source: 'api' | 'mqtt' }
  | { op: 'configure'; key: string; configured: ConfiguredEvse }
  | { op: 'forget'; key: string }
  | { op: 'read' }
  | { op: 'restart' };

const keyArb = fc.constantFrom(...KEYS, 'zz/9');
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('update' as const), key: keyArb, patch: patchArb, source: fc.constantFrom('api' as const, 'mqtt' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('configure' as const), key: fc.constantFrom(...KEYS), configured: configuredArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), key: fc.constantFrom(...KEYS) }) },
  { weight: 2, arbitrary: fc.constant({ op: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
);

describe('EvseControls tables, kept per EVSE', () => {
  it('equal the tables built from scratch after any sequence of changes, and a table once read never changes', () => {
    fc.assert(
      fc.property(fc.array(configuredArb, { minLength: KEYS.length, maxLength: KEYS.length }), fc.array(stepArb, { maxLength: 40 }), (initial, steps) => {
        const clock = new FakeClock(1_000);
        const store = openStore({ path: ':memory:', clock });
        // The hub's models, shared with the controls and changed in place (priorities, stations added and removed).
        const evses: EvseModel[] = KEYS.map(modelOf);
        const make = () => new EvseControls({ log: silentLogger(), evses, store: store.evseSettings, nowMs: () => clock.nowMs(), onChange: () => undefined });
        let controls = make();
        let ref = new Reference(evses);
        KEYS.forEach((key, i) => {
          const c = initial[i] as ConfiguredEvse;
          controls.configure(key, c);
          ref.configured.set(key, c);
        });
        controls.restore();
        const handedOut: Array<{ table: unknown; copy: unknown }> = [];
        let version = controls.standingVersion();
        let before = tablesOf(controls, evses, KEYS);
        for (const step of steps) {
          clock.advanceMs(1_000);
          if (step.op === 'update') {
            let accepted = true;
            try {
              controls.update(step.key, step.patch, step.source);
            } catch (err) {
              if (!(err instanceof ApiError)) throw err;
              accepted = false;
            }
            expect(accepted).toBe(ref.update(step.key, step.patch, step.source, clock.nowMs()));
          } else if (step.op === 'configure') {
            if (!evses.some((e) => e.key === step.key)) evses.push(modelOf(step.key));
            controls.configure(step.key, step.configured);
            ref.configured.set(step.key, step.configured);
          } else if (step.op === 'forget') {
            const i = evses.findIndex((e) => e.key === step.key);
            if (i >= 0) evses.splice(i, 1);
            controls.forget(step.key);
            ref.configured.delete(step.key);
            ref.overrides.delete(step.key);
          } else if (step.op === 'read') {
            for (const table of [controls.solarModes(), controls.maxCurrentCaps(), controls.standingModes()]) {
              // standingModes is the same live object by contract (readers cache on standingVersion).
              if (table !== controls.standingModes()) handedOut.push({ table, copy: structuredClone(table) });
            }
          } else {
            controls = make();
            ref = ref.restarted();
            for (const [key, c] of ref.configured) controls.configure(key, c);
            controls.restore();
          }
          const now = tablesOf(controls, evses, KEYS);
          expect(now).toEqual(ref.tables());
          // Readers cache the modes on the version: unchanged version, unchanged modes and sources.
          if (step.op !== 'restart' && controls.standingVersion() === version) {
            expect(now.standing).toEqual(before.standing);
            expect(now.sources).toEqual(before.sources);
          }
          version = controls.standingVersion();
          before = now;
          for (const h of handedOut) expect(h.table).toEqual(h.copy);
        }
        store.close();
      }),
      { numRuns: 200 },
    );
  });

  it('end as the store does when durable changes (applied once committed) interleave with immediate ones', async () => {
    type Mixed = { op: 'update' | 'durable'; key: string; patch: EvseSettingsPatch } | { op: 'settle' } | { op: 'read' };
    const mixedArb: fc.Arbitrary<Mixed> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('update' as const, 'durable' as const), key: keyArb, patch: patchArb }) },
      { weight: 1, arbitrary: fc.constant({ op: 'settle' as const }) },
      { weight: 1, arbitrary: fc.constant({ op: 'read' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mixedArb, { maxLength: 30 }), async (steps) => {
        const clock = new FakeClock(1_000);
        const store = openStore({ path: ':memory:', clock });
        const evses: EvseModel[] = KEYS.map(modelOf);
        const controls = new EvseControls({ log: silentLogger(), evses, store: store.evseSettings, nowMs: () => clock.nowMs(), onChange: () => undefined });
        const ref = new Reference(evses);
        for (const key of KEYS) {
          const c: ConfiguredEvse = { priority: 1, mode: 'LocalLoadBalancing', solarMode: 'pv' };
          controls.configure(key, c);
          ref.configured.set(key, c);
        }
        const pending: Array<{ done: Promise<boolean>; accepted: boolean }> = [];
        const handedOut: Array<{ table: unknown; copy: unknown }> = [];
        const settle = async () => {
          for (const p of pending.splice(0)) expect(await p.done).toBe(p.accepted);
          expect(tablesOf(controls, evses, KEYS)).toEqual(ref.tables());
        };
        for (const step of steps) {
          clock.advanceMs(1_000);
          if (step.op === 'settle') await settle();
          else if (step.op === 'read') {
            for (const table of [controls.solarModes(), controls.maxCurrentCaps()]) handedOut.push({ table, copy: structuredClone(table) });
          } else {
            const accepted = ref.update(step.key, step.patch, step.op === 'durable' ? 'api' : 'mqtt', clock.nowMs());
            if (step.op === 'durable') {
              const done = controls.updateDurably(step.key, step.patch, 'api').then(
                () => true,
                (err: unknown) => {
                  if (err instanceof ApiError) return false;
                  throw err;
                },
              );
              pending.push({ done, accepted });
            } else {
              let ok = true;
              try {
                controls.update(step.key, step.patch, 'mqtt');
              } catch (err) {
                if (!(err instanceof ApiError)) throw err;
                ok = false;
              }
              expect(ok).toBe(accepted);
            }
          }
          for (const h of handedOut) expect(h.table).toEqual(h.copy);
        }
        await settle();
        // What a restart reads back is what the hub acts on.
        const acting = tablesOf(controls, evses, KEYS);
        const restarted = new EvseControls({ log: silentLogger(), evses, store: store.evseSettings, nowMs: () => clock.nowMs(), onChange: () => undefined });
        for (const [key, c] of ref.configured) restarted.configure(key, c);
        restarted.restore();
        expect(tablesOf(restarted, evses, KEYS)).toEqual(acting);
        store.close();
      }),
      { numRuns: 150 },
    );
  });
});
