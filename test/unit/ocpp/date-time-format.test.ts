import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastDateTime } from '../../../src/ocpp/date-time-format.js';

const require = createRequire(import.meta.url);
const addFormats = require('ajv-formats') as { get(name: string, mode: string): { validate: (s: string) => boolean } };
const reference = addFormats.get('date-time', 'full').validate;
const check = fastDateTime(reference);

/** Texts near the plain form: each position drawn from what belongs there and what could break it. */
const near = (chars: string, min: number, max: number) => fc.array(fc.constantFrom(...chars.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const digits = (n: number) => near('0123456789', n, n);
const odd = '0123456789:-+.TtZz \u00a0x';
/** Mostly what belongs at a position (in range or just out of it), sometimes something that breaks the form. */
const piece = (usual: fc.Arbitrary<string>, broken: fc.Arbitrary<string>) => fc.oneof({ arbitrary: usual, weight: 12 }, { arbitrary: broken, weight: 1 });
const twoDigits = (edges: string[]) => fc.oneof(fc.constantFrom(...edges), digits(2));
const dateTimeLike = fc
  .tuple(
    piece(fc.oneof(digits(4), fc.constantFrom('2000', '1900', '2024', '2023', '0000')), near(odd, 3, 5)),
    piece(fc.constant('-'), fc.constantFrom('/', '')),
    piece(fc.constantFrom('00', '01', '02', '09', '10', '12', '13'), near(odd, 1, 3)),
    piece(fc.constant('-'), fc.constantFrom(':', '')),
    piece(twoDigits(['00', '01', '28', '29', '30', '31', '32']), near(odd, 1, 3)),
    piece(fc.constantFrom('T', 't', ' '), fc.constantFrom('\u2028', 'TT', 'x', '')),
    piece(twoDigits(['00', '23', '24']), fc.constantFrom('9', '')),
    piece(fc.constant(':'), fc.constantFrom('.', '')),
    piece(twoDigits(['00', '59', '60']), fc.constantFrom('5', '')),
    piece(fc.constant(':'), fc.constantFrom('.', '')),
    piece(twoDigits(['00', '59', '60', '61']), fc.constantFrom('5', '')),
    piece(fc.oneof(fc.constant(''), near('0123456789', 1, 12).map((f) => `.${f}`)), fc.constantFrom('.', '.99999999999999999999', '.5.5')),
    piece(
      fc.oneof(
        fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+23:59', '+24:00', '-12:60'),
        fc.tuple(fc.constantFrom('+', '-'), digits(2), fc.constant(':'), digits(2)).map((p) => p.join('')),
      ),
      fc.constantFrom('', 'ZZ', '+0530', '+05', '+5:30', '+05:3', 'Z '),
    ),
  )
  .map((parts) => parts.join(''));

describe('fastDateTime', () => {
  it('gives the reference answer for texts near the plain form', () => {
    fc.assert(fc.property(dateTimeLike, (text) => check(text) === reference(text)), { numRuns: 20_000 });
  });

  it('gives the reference answer for any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => check(text) === reference(text)), { numRuns: 5_000 });
  });

  it.each([
    ['2026-12-06T19:49:12Z', true],
    ['2026-12-06T19:49:12.123Z', true],
    ['2026-12-06t19:49:12.123456789+01:00', true],
    ['2024-02-29T00:00:00Z', true],
    ['2023-02-29T00:00:00Z', false],
    ['2026-13-06T19:49:12Z', false],
    ['2026-12-06T24:00:00Z', false],
    ['2026-12-06T19:49:12', false],
    ['2026-12-06T19:49:12+24:00', false],
    ['2016-12-31T23:59:60Z', true],
    ['2026-12-06 19:49:12Z', true],
    ['2026-12-06T19:49:59.99999999999999999Z', false],
  ])('answers %s with %s, as the reference does', (text, valid) => {
    expect(reference(text)).toBe(valid);
    expect(check(text)).toBe(valid);
  });
});
