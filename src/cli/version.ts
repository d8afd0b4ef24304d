import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: src/cli -> ../..; dist/src/cli -> ../../.. */
export function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, here.includes(`${'dist'}`) ? '../../..' : '../..');
}

/** The version in package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
