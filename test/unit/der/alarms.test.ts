import { describe, expect, it } from 'vitest';
import { derAlarmStep, NO_DER_ALARMS, type DerAlarmState, type DerAlarmThresholds } from '../../../src/der/alarms.js';
import type { MeterReading } from '../../../src/energy/meter-reading.js';
import type { NotifyDerAlarmRequest } from '../../../src/der/der-control-types.js';

const LIMITS: DerAlarmThresholds = {
  overFrequencyHz: 50.5, underFrequencyHz: 49.5, frequencyHysteresisHz: 0.1,
  overVoltageV: 253, underVoltageV: 207, voltageHysteresisV: 3,
};

/** Runs readings through the watch; returns the alarms each one raised. */
function run(readings: Omit<MeterReading, 'meterId' | 'timeMs'>[], start: DerAlarmState = NO_DER_ALARMS): NotifyDerAlarmRequest[][] {
  let state = start;
  return readings.map((r, i) => {
    const out = derAlarmStep({ meterId: 'grid', timeMs: Date.UTC(2026, 0, 5) + i * 1000, ...r }, state, LIMITS);
    state = out.state;
    return out.alarms;
  });
}

describe('DER alarms from meter readings', () => {
  it('raises over-frequency once when the limit is crossed and ends it only below the hysteresis band', () => {
    const out = run([{ frequencyHz: 50.5 }, { frequencyHz: 50.51 }, { frequencyHz: 50.45 }, { frequencyHz: 50.6 }, { frequencyHz: 50.4 }]);
    expect(out.map((a) => a.map((x) => [x.gridEventFault, x.alarmEnded ?? false]))).toEqual([
      [], [['OverFrequency', false]], [], [], [['OverFrequency', true]],
    ]);
    expect(out[1]?.[0]).toMatchObject({ controlType: 'HFMustTrip', timestamp: '2026-01-05T00:00:01.000Z' });
  });

  it('does not flap while the frequency hovers around the under-frequency limit', () => {
    const out = run([{ frequencyHz: 49.49 }, { frequencyHz: 49.51 }, { frequencyHz: 49.49 }, { frequencyHz: 49.55 }, { frequencyHz: 49.6 }]);
    expect(out.flat().map((a) => [a.gridEventFault, a.alarmEnded ?? false])).toEqual([['UnderFrequency', false], ['UnderFrequency', true]]);
    expect(out[0]?.[0]?.controlType).toBe('LFMustTrip');
  });

  it('watches the highest phase for over-voltage and the lowest for under-voltage', () => {
    const out = run([{ voltageV: { L1: 230, L2: 254, L3: 205 } }, { voltageV: { L1: 230, L2: 251, L3: 209 } }, { voltageV: { L1: 230, L2: 249, L3: 211 } }]);
    expect(out.map((a) => a.map((x) => `${x.gridEventFault}${x.alarmEnded ? ' ended' : ''}`))).toEqual([
      ['OverVoltage', 'UnderVoltage'], [], ['OverVoltage ended', 'UnderVoltage ended'],
    ]);
  });

  it('changes nothing on a stale reading or one without the quantity', () => {
    const started = derAlarmStep({ meterId: 'grid', timeMs: 0, frequencyHz: 51 }, NO_DER_ALARMS, LIMITS);
    expect(started.state.active).toEqual(['OverFrequency']);
    expect(derAlarmStep({ meterId: 'grid', timeMs: 1, frequencyHz: 50, stale: true }, started.state, LIMITS)).toEqual({ alarms: [], state: started.state });
    expect(derAlarmStep({ meterId: 'grid', timeMs: 1, powerW: 100 }, started.state, LIMITS).alarms).toEqual([]);
  });

  it('watches nothing for a limit that is not configured', () => {
    const out = derAlarmStep({ meterId: 'grid', timeMs: 0, frequencyHz: 60, voltageV: { L1: 300 } }, NO_DER_ALARMS, { frequencyHysteresisHz: 0, voltageHysteresisV: 0 });
    expect(out.alarms).toEqual([]);
  });
});
