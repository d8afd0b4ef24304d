import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { readingMappingSchema } from '../../../src/meters/meter-config.js';
import { compileMapping } from '../../../src/meters/payload-mapping.js';

/** One case per file: a mapping, a payload, and the value (and time) or error code expected. */
const scenarioSchema = z.strictObject({
  name: z.string(),
  mapping: readingMappingSchema,
  payload: z.string(),
  receivedAtMs: z.number().default(1_767_600_000_000),
  expect: z.union([z.strictObject({ value: z.number(), timeMs: z.number().optional() }), z.strictObject({ code: z.string() })]),
});

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'payload-scenarios');
const scenarios = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => scenarioSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8'))));

describe('payload mapping scenarios', () => {
  it('has scenario files to run', () => {
    expect(scenarios.length).toBeGreaterThan(20);
  });

  for (const s of scenarios) {
    it(s.name, () => {
      const mapping = compileMapping('m1', s.mapping);
      const result = mapping.extract(s.payload, s.receivedAtMs);
      if ('code' in s.expect) {
        expect(result).toMatchObject({ ok: false, code: s.expect.code });
      } else {
        expect(result).toEqual({ ok: true, value: s.expect.value, timeMs: s.expect.timeMs ?? s.receivedAtMs });
      }
    });
  }
});
