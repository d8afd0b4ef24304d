import { defineConfig } from 'vitest/config';

/** System checks that need more than Node.js (systemd-analyze): run by .ci/run, not by `npm test`. */
export default defineConfig({
  test: {
    include: ['test/system/**/*.spec.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
