import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario, type Scenario } from './scenario-runner.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../scenarios/hub-mode');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('hub-mode translation scenarios', () => {
  it('has scenario files to run', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of files) {
    const scenario: Scenario = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    it(`${file}: ${scenario.name}`, () => {
      runScenario(scenario);
    });
  }
});
