import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EvseControls, type EvseSettingsPatch } from '../../../src/control/evse-controls.js';
import { decide, initialDecideStates } from '../../../src/control/decide.js';
import { buildStrategies } from '../../../src/control/strategy-registry.js';
import { ApiError } from '../../../src/api/errors.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { anEvse, aSnapshot } from './builders.js';

/**
 * EvseControls on a real (in-memory) SQLite store: checks before anything changes, who set
 * what, persistence and restore, and what the decision sees.
 */
const clock = new FakeClock(1_000);

function setup(store: Store = openStore({ path: ':memory:', clock })) {
  const evses: EvseModel[] = [anEvse('cs1/1'), anEvse('cs1/2', { minCurrentA: 8, maxCurrentA: 32, priority: 2 })];
  const changes: Array<{ reason: string; siteChanged: boolean }> = [];
  const controls = new EvseControls({
    log: silentLogger(),
    evses,
    store: store.evseSettings,
    nowMs: () => clock.nowMs(),
    onChange: (reason, siteChanged) => changes.push({ reason, siteChanged }),
  });
  controls.configure('cs1/1', { priority: 1, mode: 'LocalLoadBalancing', solarMode: 'pv' });
  controls.configure('cs1/2', { priority: 2, mode: 'LocalLoadBalancing', solarMode: 'min+pv' });
  controls.restore();
  return { store, evses, controls, changes };
}

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('EvseControls', () => {
  it('shows configured values with source config until an operator sets them', () => {
    const { controls } = setup();
    expect(controls.view('cs1/1')).toEqual({
      priority: { value: 1, source: 'config' },
      mode: { value: 'LocalLoadBalancing', source: 'config' },
      solarMode: { value: 'pv', source: 'config' },
    });
    expect(controls.view('nope/1')).toBeUndefined();
  });

  it('applies a change with who set it and asks for a decision (priority: base shares too)', () => {
    const { controls, changes, evses } = setup();
    controls.update('cs1/1', { solarMode: 'now', maxCurrentA: 10 }, 'mqtt');
    controls.update('cs1/2', { priority: 5 }, 'api');
    expect(controls.view('cs1/1')?.solarMode).toEqual({ value: 'now', source: 'mqtt', updatedMs: 1_000 });
    expect(controls.solarModes()).toEqual({ 'cs1/1': 'now' });
    expect(controls.maxCurrentCaps()).toEqual({ 'cs1/1': [{ maxCurrentA: 10, source: 'override:mqtt', reason: 'max current set to 10 A' }] });
    expect(evses[1]?.priority).toBe(5);
    expect(changes).toEqual([{ reason: 'settings cs1/1', siteChanged: false }, { reason: 'settings cs1/2', siteChanged: true }]);
  });

  it('refuses the whole change when one field is out of range, with the reason and the field', () => {
    const { controls, changes } = setup();
    const err = refusal(() => controls.update('cs1/2', { priority: 4, maxCurrentA: 40 }, 'api'));
    expect(err).toMatchObject({ code: 'BAD_REQUEST', field: 'body.maxCurrentA', status: 400 });
    expect(err.message).toBe('maxCurrentA: 40 A is above the most cs1/2 is configured for, 32 A');
    expect(refusal(() => controls.update('cs1/2', { maxCurrentA: 7.5 }, 'api')).message).toContain('below the least cs1/2 charges at, 8 A');
    expect(refusal(() => controls.update('nope/1', { priority: 2 }, 'api')).code).toBe('NOT_FOUND');
    expect(controls.view('cs1/2')?.priority).toEqual({ value: 2, source: 'config' });
    expect(changes).toEqual([]);
  });

  it('takes the EVSE min and max themselves as a max current', () => {
    const { controls } = setup();
    controls.update('cs1/2', { maxCurrentA: 8 }, 'api');
    controls.update('cs1/1', { maxCurrentA: 16 }, 'api');
    expect(controls.view('cs1/2')?.maxCurrentA?.value).toBe(8);
    expect(controls.view('cs1/1')?.maxCurrentA?.value).toBe(16);
  });

  it('refuses a solar mode on a site without a solar-surplus strategy as not applicable', () => {
    const { controls } = setup();
    controls.configure('cs1/1', { priority: 1, mode: 'LocalLoadBalancing' });
    const err = refusal(() => controls.update('cs1/1', { solarMode: 'now' }, 'api'));
    expect(err).toMatchObject({ code: 'NOT_APPLICABLE', field: 'body.solarMode' });
    expect(controls.view('cs1/1')?.solarMode).toBeUndefined();
  });

  it('restores what was set from the store, and null goes back to the config there too', () => {
    const first = setup();
    first.controls.update('cs1/1', { mode: 'Idle', solarMode: 'off', maxCurrentA: 12, priority: 3 }, 'api');
    first.controls.update('cs1/1', { solarMode: null }, 'mqtt');
    const again = setup(first.store);
    expect(again.controls.view('cs1/1')).toEqual({
      priority: { value: 3, source: 'api', updatedMs: expect.any(Number) as number },
      mode: { value: 'Idle', source: 'api', updatedMs: expect.any(Number) as number },
      solarMode: { value: 'pv', source: 'config' },
      maxCurrentA: { value: 12, source: 'api', updatedMs: expect.any(Number) as number },
    });
    expect(again.controls.standingModes()).toEqual({ 'cs1/1': 'Idle', 'cs1/2': 'LocalLoadBalancing' });
    expect(again.controls.standingModeSources()).toEqual({ 'cs1/1': 'api', 'cs1/2': 'config' });
    expect(again.evses[0]?.priority).toBe(3);
  });

  it('skips a stored max current the config no longer allows, keeping the rest', () => {
    const first = setup();
    first.controls.update('cs1/2', { maxCurrentA: 30, solarMode: 'now' }, 'api');
    const evses = [anEvse('cs1/2', { minCurrentA: 8, maxCurrentA: 20 })];
    const controls = new EvseControls({ log: silentLogger(), evses, store: first.store.evseSettings, nowMs: () => 0, onChange: () => undefined });
    controls.configure('cs1/2', { priority: 1, mode: 'LocalLoadBalancing', solarMode: 'pv' });
    controls.restore();
    expect(controls.view('cs1/2')?.maxCurrentA).toBeUndefined();
    expect(controls.view('cs1/2')?.solarMode?.value).toBe('now');
  });

  it('applies durable changes once committed, in the order they were written, as the store keeps them', async () => {
    const { controls, changes, store } = setup();
    const first = controls.updateDurably('cs1/1', { maxCurrentA: 10, mode: 'Idle' }, 'api');
    const second = controls.updateDurably('cs1/1', { maxCurrentA: 12 }, 'mqtt');
    expect(controls.view('cs1/1')?.maxCurrentA).toBeUndefined();
    expect(changes).toEqual([]);
    await Promise.all([first, second]);
    expect(controls.view('cs1/1')).toMatchObject({ maxCurrentA: { value: 12, source: 'mqtt' }, mode: { value: 'Idle', source: 'api' } });
    expect(store.evseSettings.list().map((r) => [r.setting, r.value, r.source])).toEqual([
      ['maxCurrentA', 12, 'mqtt'],
      ['mode', 'Idle', 'api'],
    ]);
    expect(changes).toEqual([
      { reason: 'settings cs1/1', siteChanged: false },
      { reason: 'settings cs1/1', siteChanged: false },
    ]);
    await expect(controls.updateDurably('cs1/1', { maxCurrentA: 99 }, 'api')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('keeps a setting written again while an earlier durable change was on its way to disk, as the store does', async () => {
    const { controls, store } = setup();
    const first = controls.updateDurably('cs1/1', { maxCurrentA: 10, mode: 'Idle' }, 'api');
    controls.update('cs1/1', { maxCurrentA: 12 }, 'mqtt');
    await first;
    expect(controls.view('cs1/1')).toMatchObject({ maxCurrentA: { value: 12, source: 'mqtt' }, mode: { value: 'Idle', source: 'api' } });
    expect(controls.maxCurrentCaps()['cs1/1']).toEqual([expect.objectContaining({ maxCurrentA: 12 })]);
    expect(store.evseSettings.list().map((r) => [r.setting, r.value, r.source])).toEqual([
      ['maxCurrentA', 12, 'mqtt'],
      ['mode', 'Idle', 'api'],
    ]);
  });

  it('refuses start and stop without remote control, and for an unknown EVSE', async () => {
    const { controls } = setup();
    await expect(controls.start('cs1/1', 'TAG')).rejects.toMatchObject({ code: 'NOT_STANDALONE' });
    await expect(controls.stop('zz/1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

const patchArb: fc.Arbitrary<EvseSettingsPatch> = fc.record(
  {
    priority: fc.oneof(fc.constant(null), fc.double({ min: -5, max: 1500, noNaN: true })),
    mode: fc.oneof(fc.constant(null), fc.constantFrom('LocalLoadBalancing', 'Idle', 'ExternalLimits' as const)),
    solarMode: fc.oneof(fc.constant(null), fc.constantFrom('off', 'now', 'min+pv', 'pv' as const)),
    maxCurrentA: fc.oneof(fc.constant(null), fc.double({ min: -10, max: 60, noNaN: true })),
  },
  { requiredKeys: [] },
);

describe('EvseControls properties', () => {
  it('whatever operators send, each max current stays within its EVSE range, the decided limit within it, and a restart restores the same settings', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('cs1/1', 'cs1/2'), patchArb), { maxLength: 12 }), (steps) => {
        const { controls, store, evses } = setup();
        for (const [key, patch] of steps) {
          try {
            controls.update(key, patch, 'api');
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
          }
        }
        for (const e of evses) {
          const cap = controls.view(e.key)?.maxCurrentA?.value;
          if (cap === undefined) continue;
          expect(cap).toBeGreaterThanOrEqual(e.minCurrentA);
          expect(cap).toBeLessThanOrEqual(e.maxCurrentA);
        }
        // The decision never offers more than the operator's max current.
        const strategies = buildStrategies([{ type: 'load-balancing' }], { marginA: 1, rotationPeriodS: 300, nominalVoltageV: 230 });
        const snapshot = aSnapshot({ evses: [...evses], evseCaps: { ...controls.maxCurrentCaps() }, modes: { ...controls.standingModes() } });
        const result = decide(snapshot, initialDecideStates(strategies), { strategies, params: { marginA: 1 } });
        for (const e of evses) {
          const cap = controls.view(e.key)?.maxCurrentA?.value;
          if (cap !== undefined) expect(result.limits[e.key]?.limit.maxCurrentA ?? 0).toBeLessThanOrEqual(cap + 1e-9);
        }
        const restarted = setup(store);
        for (const e of evses) expect(restarted.controls.view(e.key)).toEqual(controls.view(e.key));
      }),
      { numRuns: 150 },
    );
  });
});
