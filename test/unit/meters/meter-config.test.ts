import { describe, it, expect } from 'vitest';
import { meterConfigSchema, metersConfigSchema } from '../../../src/meters/meter-config.js';

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('meterConfigSchema', () => {
  it('defaults staleAfterS to 10', () => {
    const meter = meterConfigSchema.parse({ id: 'grid', readings: [{ quantity: 'powerW', topic: 'home/grid/power' }] });
    expect(meter.staleAfterS).toBe(10);
  });

  it('accepts a full meter with several mappings on one topic', () => {
    const result = meterConfigSchema.safeParse({
      id: 'grid',
      role: 'grid',
      staleAfterS: 5,
      readings: [
        { quantity: 'powerW', topic: 'tele/meter/SENSOR', path: '$.SML.Power', expression: '-value', timePath: 'Time' },
        { quantity: 'currentA.L1', topic: 'tele/meter/SENSOR', path: 'SML.I[0]' },
      ],
    });
    expect(result.success).toBe(true);
  });

  it.each(['home/+/power', 'home/#'])('rejects the wildcard topic %s', (topic) => {
    const result = meterConfigSchema.safeParse({ id: 'grid', readings: [{ quantity: 'powerW', topic }] });
    expect(issues(result)).toEqual([{ path: 'readings.0.topic', message: 'an exact topic: MQTT wildcards + and # are not allowed' }]);
  });

  it('rejects an unknown quantity', () => {
    const result = meterConfigSchema.safeParse({ id: 'grid', readings: [{ quantity: 'powerKW', topic: 't' }] });
    expect(issues(result).map((i) => i.path)).toEqual(['readings.0.quantity']);
  });

  it('rejects a quantity mapped twice', () => {
    const result = meterConfigSchema.safeParse({
      id: 'grid',
      readings: [
        { quantity: 'powerW', topic: 'a' },
        { quantity: 'powerW', topic: 'b' },
      ],
    });
    expect(issues(result).map((i) => i.path)).toEqual(['readings.1.quantity']);
  });

  it('reports a bad expression at its field path, naming meter and quantity', () => {
    const result = meterConfigSchema.safeParse({
      id: 'pv',
      readings: [{ quantity: 'powerW', topic: 'a', expression: 'value * k' }],
    });
    const [issue] = issues(result);
    expect(issue?.path).toBe('readings.0.expression');
    expect(issue?.message).toContain('meter "pv", quantity powerW');
  });

  it('reports a bad path at its field path', () => {
    const result = meterConfigSchema.safeParse({ id: 'pv', readings: [{ quantity: 'powerW', topic: 'a', path: 'x[*]' }] });
    expect(issues(result).map((i) => i.path)).toEqual(['readings.0.path']);
  });

  it('rejects unknown keys', () => {
    const result = meterConfigSchema.safeParse({ id: 'pv', readings: [{ quantity: 'powerW', topic: 'a', scale: 1000 }] });
    expect(result.success).toBe(false);
  });

  it('rejects a meter without readings', () => {
    expect(meterConfigSchema.safeParse({ id: 'pv', readings: [] }).success).toBe(false);
  });
});

describe('metersConfigSchema', () => {
  it('rejects two meters with one id', () => {
    const meter = { id: 'grid', readings: [{ quantity: 'powerW', topic: 'a' }] };
    expect(issues(metersConfigSchema.safeParse([meter, meter])).map((i) => i.path)).toEqual(['1.id']);
  });
});
