import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { checkHeapLimit } from '../../../src/cli/heap-limit.js';

const root = new URL('../../../', import.meta.url);
const capOf = (text: string): string | undefined => /--max-old-space-size=(\d+)/.exec(text)?.[1];

describe('the hub heap limit', () => {
  it('is capped the same way by npm start and by the installed command, with the same node options', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } };
    const shebang = readFileSync(new URL('bin/switchyard.js', root), 'utf8').split('\n')[0] ?? '';
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(capOf(pkg.scripts.start)).toBeDefined();
    expect(capOf(shebang)).toBe(capOf(pkg.scripts.start));
    // Every node option alike (the cap, and V8's one worker thread: README, "Memory").
    const optionsOf = (line: string): string[] => line.split(/\s+/).filter((w) => w.startsWith('--'));
    expect(optionsOf(shebang)).toEqual(optionsOf(pkg.scripts.start));
    expect(optionsOf(shebang)).toContain('--v8-pool-size=1');
  });

  it('passes a cap with room for the stations, and suggests a larger one that would pass when it has not', () => {
    expect(checkHeapLimit(1536, 6250).suggestedMiB).toBeUndefined();
    expect(checkHeapLimit(1536, 60_000).suggestedMiB).toBeGreaterThan(1536);
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 16_384 }), fc.integer({ min: 0, max: 500_000 }), (limitMiB, stations) => {
        const check = checkHeapLimit(limitMiB, stations);
        // More stations never need less.
        const more = checkHeapLimit(limitMiB, stations + 1000);
        if (check.suggestedMiB === undefined) return;
        expect(check.suggestedMiB).toBeGreaterThan(limitMiB);
        expect(checkHeapLimit(check.suggestedMiB, stations).suggestedMiB).toBeUndefined();
        expect(more.suggestedMiB).toBeGreaterThanOrEqual(check.suggestedMiB);
      }),
    );
  });
});
