import { describe, expect, it } from 'vitest';
import {
  clearDerControls, controlsInForce, EMPTY_DER_STATE, isSuperseded, nextDerEdgeMs, pruneExpired, setDerControl,
  type DerControlState,
} from '../../../src/der/der-control-store.js';
import type { SetDerControlRequest } from '../../../src/der/der-control-types.js';
import { aFreqDroop, aGradient, aLimitMaxDischarge, T0_MS } from './der-builders.js';

function setAll(reqs: SetDerControlRequest[], nowMs = T0_MS): DerControlState {
  let state = EMPTY_DER_STATE;
  for (const r of reqs) {
    const out = setDerControl(state, r, nowMs);
    expect(out.response.status, `${r.controlId}: ${out.response.statusInfo?.additionalInfo}`).toBe('Accepted');
    state = out.state;
  }
  return state;
}

describe('DER control store', () => {
  it('accepts a scheduled LimitMaxDischarge and holds it in force inside its window only', () => {
    const state = setAll([aLimitMaxDischarge({ startMs: T0_MS + 60_000, durationS: 600 })]);
    expect(controlsInForce(state, T0_MS).LimitMaxDischarge).toBeUndefined();
    expect(controlsInForce(state, T0_MS + 60_000).LimitMaxDischarge?.controlId).toBe('lmd-1');
    expect(controlsInForce(state, T0_MS + 660_000).LimitMaxDischarge).toBeUndefined();
  });

  it('answers NotSupported for a control type the hub does not apply', () => {
    const out = setDerControl(EMPTY_DER_STATE, {
      isDefault: true, controlId: 'vv', controlType: 'VoltVar',
      curve: { priority: 1, yUnit: 'PctMaxVar', curveData: [{ x: 230, y: 0 }] },
    }, T0_MS);
    expect(out.response.status).toBe('NotSupported');
    expect(out.state).toBe(EMPTY_DER_STATE);
  });

  it('rejects a control without the setting that matches its type', () => {
    const out = setDerControl(EMPTY_DER_STATE, { isDefault: true, controlId: 'x', controlType: 'FreqDroop', gradient: { priority: 1, gradient: 1, softGradient: 0 } }, T0_MS);
    expect(out.response).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'MissingParam' } });
  });

  it('rejects a scheduled control without startTime and duration', () => {
    const req = aLimitMaxDischarge();
    const out = setDerControl(EMPTY_DER_STATE, { ...req, limitMaxDischarge: { priority: 1, pctMaxDischargePower: 10 } }, T0_MS);
    expect(out.response).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'MissingParam' } });
  });

  it('rejects Gradients that are not a default, since they carry no window', () => {
    const out = setDerControl(EMPTY_DER_STATE, { ...aGradient(10), isDefault: false }, T0_MS);
    expect(out.response.status).toBe('Rejected');
  });

  it('rejects a scheduled control that has already ended', () => {
    const out = setDerControl(EMPTY_DER_STATE, aLimitMaxDischarge({ startMs: T0_MS - 7_200_000, durationS: 3600 }), T0_MS);
    expect(out.response).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue' } });
  });

  it('rejects a FreqDroop whose under-frequency start is above its over-frequency start', () => {
    const req = aFreqDroop();
    if (!req.freqDroop) throw new Error('builder');
    const out = setDerControl(EMPTY_DER_STATE, { ...req, freqDroop: { ...req.freqDroop, underFreq: 50.5 } }, T0_MS);
    expect(out.response.status).toBe('Rejected');
  });

  it('replaces the default of a type with a new default and reports the old one as superseded', () => {
    const state = setAll([aFreqDroop({ id: 'a' })]);
    const out = setDerControl(state, aFreqDroop({ id: 'b' }), T0_MS);
    expect(out.response).toEqual({ status: 'Accepted', supersededIds: ['a'] });
    expect(out.state.controls.map((c) => c.controlId)).toEqual(['b']);
  });

  it('updates a control set again with the same id without calling it superseded', () => {
    const state = setAll([aLimitMaxDischarge({ pct: 50 })]);
    const out = setDerControl(state, aLimitMaxDischarge({ pct: 20 }), T0_MS);
    expect(out.response).toEqual({ status: 'Accepted' });
    expect(out.state.controls).toHaveLength(1);
  });

  it('lists overlapping scheduled controls of lower priority as superseded and keeps them', () => {
    const state = setAll([aLimitMaxDischarge({ id: 'low', priority: 5 }), aLimitMaxDischarge({ id: 'other-time', priority: 5, startMs: T0_MS + 7_200_000 })]);
    const out = setDerControl(state, aLimitMaxDischarge({ id: 'high', priority: 1, startMs: T0_MS + 1_800_000, durationS: 600 }), T0_MS);
    expect(out.response.supersededIds).toEqual(['low']);
    expect(out.state.controls).toHaveLength(3);
    const low = out.state.controls.find((c) => c.controlId === 'low');
    if (!low) throw new Error('low kept');
    expect(isSuperseded(low, out.state, T0_MS)).toBe(true);
  });

  it('does not supersede a higher-priority control with a lower-priority one', () => {
    const state = setAll([aLimitMaxDischarge({ id: 'high', priority: 1 })]);
    const out = setDerControl(state, aLimitMaxDischarge({ id: 'low', priority: 9 }), T0_MS);
    expect(out.response).toEqual({ status: 'Accepted' });
    expect(controlsInForce(out.state, T0_MS + 1000).LimitMaxDischarge?.controlId).toBe('high');
  });

  it('lets the later control win among equal priorities', () => {
    const state = setAll([aLimitMaxDischarge({ id: 'first' }), aLimitMaxDischarge({ id: 'second' })]);
    expect(controlsInForce(state, T0_MS).LimitMaxDischarge?.controlId).toBe('second');
  });

  it('puts a scheduled control over the default of its type during its window, and the default back after', () => {
    const state = setAll([aFreqDroop({ id: 'default' }), aFreqDroop({ id: 'event', isDefault: false, priority: 9, startMs: T0_MS + 1000, durationS: 10 })]);
    expect(controlsInForce(state, T0_MS).FreqDroop?.controlId).toBe('default');
    expect(controlsInForce(state, T0_MS + 5000).FreqDroop?.controlId).toBe('event');
    expect(controlsInForce(state, T0_MS + 11_000).FreqDroop?.controlId).toBe('default');
  });

  it('clears by id, by type and everything of a kind, and says NotFound when nothing matches', () => {
    const state = setAll([aFreqDroop({ id: 'd' }), aGradient(5), aLimitMaxDischarge({ id: 's1' }), aLimitMaxDischarge({ id: 's2', startMs: T0_MS + 5000 })]);
    expect(clearDerControls(state, { isDefault: false, controlId: 'nope' }, T0_MS).response.status).toBe('NotFound');
    expect(clearDerControls(state, { isDefault: true, controlId: 's1' }, T0_MS).response.status).toBe('NotFound');
    const byId = clearDerControls(state, { isDefault: false, controlId: 's1' }, T0_MS);
    expect(byId.state.controls.map((c) => c.controlId)).toEqual(['d', 'grad-1', 's2']);
    const byType = clearDerControls(state, { isDefault: true, controlType: 'Gradients' }, T0_MS);
    expect(byType.state.controls.map((c) => c.controlId)).toEqual(['d', 's1', 's2']);
    const defaults = clearDerControls(state, { isDefault: true }, T0_MS);
    expect(defaults.state.controls.map((c) => c.controlId)).toEqual(['s1', 's2']);
  });

  it('drops ended scheduled controls and keeps defaults', () => {
    const state = setAll([aFreqDroop({ id: 'd' }), aLimitMaxDischarge({ durationS: 60 })]);
    expect(pruneExpired(state, T0_MS + 60_000).controls.map((c) => c.controlId)).toEqual(['d']);
  });

  it('finds the next start or end of a scheduled control', () => {
    const state = setAll([aLimitMaxDischarge({ startMs: T0_MS + 30_000, durationS: 60 })]);
    expect(nextDerEdgeMs(state, T0_MS)).toBe(T0_MS + 30_000);
    expect(nextDerEdgeMs(state, T0_MS + 30_000)).toBe(T0_MS + 90_000);
    expect(nextDerEdgeMs(state, T0_MS + 90_000)).toBeUndefined();
  });

  it('refuses a control whose startTime is not a date-time it can read', () => {
    const req = aLimitMaxDischarge();
    const out = setDerControl(EMPTY_DER_STATE, { ...req, limitMaxDischarge: { priority: 1, pctMaxDischargePower: 10, startTime: 'soon', duration: 5 } }, T0_MS);
    expect(out.response.status).toBe('Rejected');
  });
});
