import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // mathjs costs ~30 MiB of heap when imported; only configs with expressions need it.
    files: ['src/**/*.ts', 'strategies/**/*.ts'],
    ignores: ['src/energy/**/*.ts', 'src/util/lazy-mathjs.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'mathjs', allowTypeImports: true, message: 'load mathjs on first use through src/util/lazy-mathjs.ts' }],
      }],
    },
  },
  {
    files: ['src/energy/**/*.ts', 'strategies/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['ws', 'mqtt', 'better-sqlite3', 'fastify', 'node:fs', 'node:net', 'node:http', 'node:https', 'fs', 'net', 'http', 'https', 'aedes', 'pino'], message: 'energy/ and strategies/ are pure: no I/O imports.' },
          { group: ['**/store/**', '**/evse/**', '**/upstream/**', '**/meters/**', '**/api/**'], message: 'energy/ and strategies/ are pure: do not import I/O edges.' },
        ],
        paths: [{ name: 'mathjs', allowTypeImports: true, message: 'load mathjs on first use through src/util/lazy-mathjs.ts' }],
      }],
    },
  },
  {
    files: ['bench/**/*.ts', 'src/main.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
