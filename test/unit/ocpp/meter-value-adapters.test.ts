import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { meterValueOf16 } from '../../../src/ocpp/adapters/v16.js';
import { meterValueOf2x } from '../../../src/ocpp/adapters/v2x.js';

const AT = '2026-01-01T00:00:00.000Z';

describe('reading sampled values from the wire', () => {
  it('1.6: a value that is no finite number, or blank, is left out and told as unreadable with what was sent', () => {
    const mv = meterValueOf16(
      { timestamp: AT, sampledValue: [{ value: '12.5', measurand: 'Current.Import', phase: 'L1', unit: 'A' }, { value: 'NaN' }, { value: '1e400', measurand: 'Energy.Active.Import.Register' }, { value: ' ', measurand: 'Current.Import', phase: 'L2' }] },
      0,
    );
    expect(mv.sampledValues).toEqual([{ value: 12.5, measurand: 'Current.Import', phase: 'L1', unit: 'A' }]);
    expect(mv.unreadable).toEqual([
      { measurand: 'Energy.Active.Import.Register', sent: 'NaN' },
      { measurand: 'Energy.Active.Import.Register', sent: '1e400' },
      { measurand: 'Current.Import', phase: 'L2', sent: ' ' },
    ]);
  });

  it('2.x: a value that overflows with its multiplier (Infinity, or 0 times Infinity) is left out and told as unreadable', () => {
    const mv = meterValueOf2x(
      {
        timestamp: AT,
        sampledValue: [
          { value: 1.5, unitOfMeasure: { unit: 'kWh', multiplier: 3 } },
          { value: 1e300, unitOfMeasure: { unit: 'Wh', multiplier: 9 } },
          { value: 0, measurand: 'Current.Import', phase: 'L1', unitOfMeasure: { unit: 'A', multiplier: 400 } },
        ],
      },
      0,
    );
    expect(mv.sampledValues).toEqual([{ value: 1500, measurand: 'Energy.Active.Import.Register', unit: 'kWh' }]);
    expect(mv.unreadable).toEqual([
      { measurand: 'Energy.Active.Import.Register', sent: '1e+300e9' },
      { measurand: 'Current.Import', phase: 'L1', sent: '0e400' },
    ]);
  });

  it('a meter value with only readable values carries no unreadable list', () => {
    expect(meterValueOf16({ timestamp: AT, sampledValue: [{ value: '5' }] }, 0)).not.toHaveProperty('unreadable');
    expect(meterValueOf2x({ timestamp: AT, sampledValue: [{ value: 5 }] }, 0)).not.toHaveProperty('unreadable');
  });

  it('never hands on a value that is not a finite number, whatever the wire held', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.double().map(String)), { maxLength: 8 }), fc.array(fc.record({ value: fc.double({ noNaN: true, noDefaultInfinity: true }), multiplier: fc.integer({ min: -400, max: 400 }) }), { maxLength: 8 }), (texts, numbers) => {
        const v16 = meterValueOf16({ timestamp: AT, sampledValue: texts.map((value) => ({ value })) }, 0);
        const v2x = meterValueOf2x({ timestamp: AT, sampledValue: numbers.map((n) => ({ value: n.value, unitOfMeasure: { multiplier: n.multiplier } })) }, 0);
        for (const mv of [v16, v2x]) for (const sv of mv.sampledValues) expect(Number.isFinite(sv.value)).toBe(true);
        expect(v16.sampledValues.length + (v16.unreadable?.length ?? 0)).toBe(texts.length);
        expect(v2x.sampledValues.length + (v2x.unreadable?.length ?? 0)).toBe(numbers.length);
      }),
    );
  });
});
