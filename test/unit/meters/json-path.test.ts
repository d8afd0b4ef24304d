import { describe, it, expect } from 'vitest';
import { parseJsonPath, readJsonPath, JsonPathSyntaxError } from '../../../src/meters/json-path.js';

describe('parseJsonPath', () => {
  it('parses dotted keys after $', () => {
    expect(parseJsonPath('$.power.total').segments).toEqual([
      { kind: 'key', key: 'power' },
      { kind: 'key', key: 'total' },
    ]);
  });

  it('parses a leading key without $ and indices', () => {
    expect(parseJsonPath('data[0].value').segments).toEqual([
      { kind: 'key', key: 'data' },
      { kind: 'index', index: 0 },
      { kind: 'key', key: 'value' },
    ]);
  });

  it('parses $ alone as the root', () => {
    expect(parseJsonPath('$').segments).toEqual([]);
  });

  it('accepts keys with underscores, dashes, colons, digits and non-ASCII letters', () => {
    expect(parseJsonPath('SML.Power_curr.a-b:c.Wärme2').segments).toHaveLength(4);
  });

  it.each([
    ['', 'empty'],
    ['$..power', 'recursive descent'],
    ['$.data[*]', 'a wildcard'],
    ["$['power']", 'a quoted key'],
    ['$.data[-1]', 'a negative index'],
    ['$.data[0', 'an unclosed bracket'],
    ['power.', 'a trailing dot'],
    ['.power', 'a leading dot'],
    ['$.data[?(@.v>1)]', 'a filter'],
    ['$.my key', 'a space'],
  ])('rejects %s (%s) with a message listing what is supported', (path) => {
    expect(() => parseJsonPath(path)).toThrow(JsonPathSyntaxError);
    expect(() => parseJsonPath(path)).toThrow(/supported: an optional \$, dotted keys/);
  });
});

describe('readJsonPath', () => {
  it('does not read inherited properties', () => {
    expect(readJsonPath({}, parseJsonPath('constructor'))).toEqual({ found: false, missingAt: '$.constructor' });
  });

  it('finds a null value as found', () => {
    expect(readJsonPath({ a: null }, parseJsonPath('a'))).toEqual({ found: true, value: null });
  });
});
