import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derAlarmStep, NO_DER_ALARMS } from '../../../src/der/alarms.js';
import { clearDerControls, EMPTY_DER_STATE, setDerControl, type DerControlState } from '../../../src/der/der-control-store.js';
import type { SetDerControlRequest } from '../../../src/der/der-control-types.js';
import { getDerControl, REPORT_CHUNK } from '../../../src/der/der-report.js';
import { derStartStopEvents } from '../../../src/der/der-start-stop.js';
import { validatePayload } from '../../../src/ocpp/schema-validator.js';
import {
  aFixedPF, aFreqDroop, aFreqWatt, aGradient, aLimitMaxDischarge, anEnterService, T0_MS,
} from './der-builders.js';

function expectValid(action: string, kind: 'req' | 'conf', payload: unknown): void {
  const error = validatePayload('2.1', action, kind, payload);
  expect(error?.description, `${action} ${kind}: ${JSON.stringify(payload)}`).toBeUndefined();
}

const ONE_OF_EACH: SetDerControlRequest[] = [
  aFreqDroop(), aFreqWatt(), aGradient(10, 30), anEnterService(), aFixedPF('FixedPFAbsorb'), aFixedPF('FixedPFInject'),
  aLimitMaxDischarge(), aLimitMaxDischarge({ id: 'lmd-default', isDefault: true }),
];

function stored(reqs: readonly SetDerControlRequest[]): DerControlState {
  let state = EMPTY_DER_STATE;
  for (const r of reqs) state = setDerControl(state, r, T0_MS).state;
  return state;
}

describe('DER payloads against the official OCPP 2.1 schemas', () => {
  it('builds requests the schema accepts (the builders are valid CSMS input)', () => {
    for (const req of ONE_OF_EACH) expectValid('SetDERControl', 'req', req);
  });

  it('answers every Set, accepted or not, with a valid SetDERControlResponse', () => {
    let state = EMPTY_DER_STATE;
    const answers = [];
    for (const req of [...ONE_OF_EACH, aFreqDroop({ id: 'fd-2' }), { ...aGradient(1), isDefault: false }]) {
      const out = setDerControl(state, req, T0_MS);
      state = out.state;
      answers.push(out.response);
    }
    answers.push(setDerControl(state, { isDefault: true, controlId: 'vw', controlType: 'VoltWatt', curve: { priority: 0, yUnit: 'PctMaxW', curveData: [{ x: 1, y: 1 }] } }, T0_MS).response);
    expect(answers.map((a) => a.status)).toContain('Rejected');
    expect(answers.map((a) => a.status)).toContain('NotSupported');
    expect(answers.some((a) => a.supersededIds !== undefined)).toBe(true);
    for (const a of answers) expectValid('SetDERControl', 'conf', a);
  });

  it('reports every stored control type in a valid ReportDERControlRequest', () => {
    const state = stored(ONE_OF_EACH);
    const get = { requestId: 7 };
    expectValid('GetDERControl', 'req', get);
    const out = getDerControl(state, get, T0_MS);
    expectValid('GetDERControl', 'conf', out.response);
    expect(out.reports).toHaveLength(1);
    const [report] = out.reports;
    expectValid('ReportDERControl', 'req', report);
    expect(report).toMatchObject({ requestId: 7 });
    expect(report?.curve?.[0]).toMatchObject({ id: 'fw-1', curveType: 'FreqWatt', isDefault: true, isSuperseded: false });
    expect(report?.limitMaxDischarge).toHaveLength(2);
    expect(report?.limitMaxDischarge?.find((e) => e.id === 'lmd-default')?.isSuperseded).toBe(true);
  });

  it('splits a report with more than 24 controls into messages marked tbc', () => {
    const many = Array.from({ length: 30 }, (_, i) => aLimitMaxDischarge({ id: `s${i}`, startMs: T0_MS + i * 3_600_000 }));
    const out = getDerControl(stored(many), { requestId: 1, controlType: 'LimitMaxDischarge' }, T0_MS);
    expect(out.reports.map((r) => r.limitMaxDischarge?.length)).toEqual([REPORT_CHUNK, 30 - REPORT_CHUNK]);
    expect(out.reports.map((r) => r.tbc)).toEqual([true, undefined]);
    for (const r of out.reports) expectValid('ReportDERControl', 'req', r);
  });

  it('answers Get with NotFound and NotSupported in valid responses', () => {
    for (const req of [{ requestId: 1, controlId: 'nope' }, { requestId: 2, controlType: 'VoltVar' as const }]) {
      const out = getDerControl(EMPTY_DER_STATE, req, T0_MS);
      expect(out.reports).toEqual([]);
      expectValid('GetDERControl', 'conf', out.response);
    }
  });

  it('answers Clear with valid responses', () => {
    const state = stored(ONE_OF_EACH);
    for (const req of [{ isDefault: true, controlType: 'FreqDroop' as const }, { isDefault: false, controlId: 'x' }, { isDefault: true }]) {
      expectValid('ClearDERControl', 'req', req);
      expectValid('ClearDERControl', 'conf', clearDerControls(state, req, T0_MS).response);
    }
  });

  it('produces valid NotifyDERStartStop and NotifyDERAlarm requests', () => {
    const state = stored([aLimitMaxDischarge({ id: 'a', priority: 5 }), aLimitMaxDischarge({ id: 'b', priority: 1, durationS: 60 }), aLimitMaxDischarge({ id: 'd', isDefault: true })]);
    const started = derStartStopEvents([], state, T0_MS);
    expect(started.events).toEqual([{ controlId: 'b', started: true, timestamp: new Date(T0_MS).toISOString(), supersededIds: ['a', 'd'] }]);
    const later = derStartStopEvents(started.inForceIds, state, T0_MS + 60_000);
    expect(later.events.map((e) => [e.controlId, e.started])).toEqual([['b', false], ['a', true]]);
    for (const e of [...started.events, ...later.events]) expectValid('NotifyDERStartStop', 'req', e);
    const alarm = derAlarmStep({ meterId: 'grid', timeMs: T0_MS, frequencyHz: 50.6, voltageV: { L1: 200 } }, NO_DER_ALARMS,
      { overFrequencyHz: 50.5, underVoltageV: 207, frequencyHysteresisHz: 0.1, voltageHysteresisV: 2 });
    expect(alarm.alarms).toHaveLength(2);
    for (const a of alarm.alarms) expectValid('NotifyDERAlarm', 'req', a);
  });

  it('answers any schema-valid LimitMaxDischarge or FreqDroop Set with a valid response and reports it validly', () => {
    const window = fc.record({ startOffsetS: fc.integer({ min: -7200, max: 7200 }), duration: fc.integer({ min: 1, max: 86_400 }) });
    const lmd = fc.record({ id: fc.string({ minLength: 1, maxLength: 36 }), isDefault: fc.boolean(), priority: fc.nat(20),
      pct: fc.option(fc.double({ min: -10, max: 150, noNaN: true }), { nil: undefined }), window })
      .map(({ id, isDefault, priority, pct, window: w }): SetDerControlRequest => ({
        isDefault, controlId: id, controlType: 'LimitMaxDischarge',
        limitMaxDischarge: { priority, ...(pct !== undefined ? { pctMaxDischargePower: pct } : {}),
          startTime: new Date(T0_MS + w.startOffsetS * 1000).toISOString(), duration: w.duration },
      }));
    const droop = fc.record({ id: fc.string({ minLength: 1, maxLength: 36 }), priority: fc.nat(20),
      over: fc.double({ min: 45, max: 55, noNaN: true }), under: fc.double({ min: 45, max: 55, noNaN: true }),
      droop: fc.double({ min: -0.1, max: 0.2, noNaN: true }) })
      .map(({ id, priority, over, under, droop: d }): SetDerControlRequest => ({
        isDefault: true, controlId: id, controlType: 'FreqDroop',
        freqDroop: { priority, overFreq: over, underFreq: under, overDroop: d, underDroop: d, responseTime: 1 },
      }));
    fc.assert(fc.property(fc.array(fc.oneof(lmd, droop), { minLength: 1, maxLength: 30 }), (reqs) => {
      let state = EMPTY_DER_STATE;
      for (const req of reqs) {
        const out = setDerControl(state, req, T0_MS);
        expectValid('SetDERControl', 'conf', out.response);
        state = out.state;
      }
      for (const r of getDerControl(state, { requestId: 3 }, T0_MS).reports) expectValid('ReportDERControl', 'req', r);
    }), { numRuns: 200 });
  });
});
