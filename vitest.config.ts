import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests wait for events, never for time; these caps only stop a hung test. They are generous
    // because the tests that start real processes (the crash tests, the CLI) take several times
    // longer on a loaded shared machine than on an idle one.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
