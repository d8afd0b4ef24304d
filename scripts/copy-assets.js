// Build step after tsc: copies the non-TypeScript files the compiled code reads at run time
// (the dashboard's page files) next to their compiled modules in dist/.
import { cpSync, rmSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ASSET_DIRS = ['src/api/dashboard/assets'];

for (const dir of ASSET_DIRS) {
  const to = `${root}dist/${dir}`;
  rmSync(to, { recursive: true, force: true });
  cpSync(`${root}${dir}`, to, { recursive: true });
}
