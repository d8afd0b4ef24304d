import { createRequire } from 'node:module';

type MathJs = typeof import('mathjs');

let loaded: MathJs | undefined;

/**
 * mathjs, loaded on first use. Importing it costs about 30 MiB of V8 heap (80 MiB of RSS), and
 * only sites whose config has an expression (a meter mapping's `expression`, a rule's
 * `siteLimitW` formula) use it; every other hub never loads it. The load is synchronous (the
 * package's CommonJS build), so config compilation stays synchronous.
 */
export function mathjs(): MathJs {
  loaded ??= createRequire(import.meta.url)('mathjs') as MathJs;
  return loaded;
}
