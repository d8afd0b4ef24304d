import { describe, it, expect } from 'vitest';
import { compileMapping, MeterMappingError, type ReadingMappingSpec } from '../../../src/meters/payload-mapping.js';

const RECEIVED_MS = 1_767_600_000_000;

function compileError(spec: ReadingMappingSpec, meterId = 'grid'): MeterMappingError {
  try {
    compileMapping(meterId, spec);
  } catch (err) {
    if (err instanceof MeterMappingError) return err;
    throw err;
  }
  throw new Error('expected compileMapping to throw');
}

describe('compileMapping at load', () => {
  it('names the meter, the quantity and the field when a path is invalid', () => {
    const err = compileError({ quantity: 'currentA.L2', topic: 't', path: '$.data[*].value' });
    expect(err).toMatchObject({ meterId: 'grid', quantity: 'currentA.L2', field: 'path' });
    expect(err.message).toContain('meter "grid", quantity currentA.L2');
    expect(err.message).toContain('$.data[*].value');
  });

  it('rejects an expression that uses a variable other than value', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', expression: 'value * scale' }, 'pv');
    expect(err).toMatchObject({ meterId: 'pv', quantity: 'powerW', field: 'expression' });
    expect(err.message).toContain('unknown variable "scale"');
  });

  it('rejects an expression that does not parse', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', expression: 'value * (1000' });
    expect(err).toMatchObject({ field: 'expression' });
    expect(err.message).toContain('cannot parse');
  });

  it('rejects an expression that assigns', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', expression: 'value = 3' });
    expect(err.message).toContain('assignments');
  });

  it('rejects an expression that calls an unknown function', () => {
    const err = compileError({ quantity: 'energyWh', topic: 't', expression: 'kwh(value)' });
    expect(err).toMatchObject({ quantity: 'energyWh', field: 'expression' });
    expect(err.message).toContain('fails for value = 1');
  });

  it('rejects an expression whose result is not a number', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', expression: 'value > 0' });
    expect(err.message).toContain('not a number');
  });

  it('rejects a unit in an expression', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', expression: 'value kW' });
    expect(err.message).toContain('unknown variable "kW"');
  });

  it('rejects a time path without a value path', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', timePath: 'ts' });
    expect(err).toMatchObject({ field: 'timePath' });
  });

  it('names the time path field when the time path is invalid', () => {
    const err = compileError({ quantity: 'powerW', topic: 't', path: 'p', timePath: 'meta..ts' });
    expect(err).toMatchObject({ field: 'timePath' });
  });
});

describe('extract at run time', () => {
  it('returns a bad payload as a result and never throws', () => {
    const mapping = compileMapping('grid', { quantity: 'powerW', topic: 't', path: 'p', expression: 'value * 1000' });
    const payloads = ['', 'null', '[]', '{"p":"x"}', '{"p":{}}', '\u0000\u00ff', '{"p":1e999}'];
    for (const payload of payloads) {
      expect(mapping.extract(payload, RECEIVED_MS).ok).toBe(false);
    }
  });

  it('reads a Buffer payload as UTF-8', () => {
    const mapping = compileMapping('grid', { quantity: 'powerW', topic: 't', path: 'Leistung' });
    expect(mapping.extract(Buffer.from('{"Leistung":"-12.5"}', 'utf8'), RECEIVED_MS)).toEqual({ ok: true, value: -12.5, timeMs: RECEIVED_MS });
  });

  it('says in the error where the path stopped matching', () => {
    const mapping = compileMapping('grid', { quantity: 'powerW', topic: 't', path: '$.a.b.c' });
    const result = mapping.extract('{"a":{"x":1}}', RECEIVED_MS);
    expect(result).toMatchObject({ ok: false, code: 'path-missing' });
    expect(!result.ok && result.message).toContain('$.a.b');
  });

  it('does not share state between evaluations of one expression', () => {
    const mapping = compileMapping('grid', { quantity: 'powerW', topic: 't', expression: 'value * 2' });
    expect(mapping.extract('1', RECEIVED_MS)).toMatchObject({ value: 2 });
    expect(mapping.extract('5', RECEIVED_MS)).toMatchObject({ value: 10 });
  });
});
