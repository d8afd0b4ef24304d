// `npm start` runs the compiled hub (plain node, no TypeScript compiler in the process: about
// 100 MiB less memory than running the sources through tsx). This step before it builds dist/
// when it is missing or older than any source: a file or folder under src/ or strategies/
// (a deleted file changes its folder), the tsconfigs or package.json. The build writes the stamp
// (`node scripts/build-if-stale.js --stamp`) as its last step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = `${root}dist/.build-stamp`;

if (process.argv.includes('--stamp')) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
}

/** The newest modification time (ms) of a path and, for a folder, of everything in it. */
function newestMs(path) {
  const st = statSync(path);
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    for (const entry of readdirSync(path)) newest = Math.max(newest, newestMs(`${path}/${entry}`));
  }
  return newest;
}

const sources = ['src', 'strategies', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => `${root}${p}`).filter((p) => existsSync(p));
const builtMs = existsSync(stamp) ? statSync(stamp).mtimeMs : -Infinity;
if (Math.max(...sources.map(newestMs)) > builtMs) {
  process.stderr.write('Building dist/ (the sources changed since the last build) ...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
