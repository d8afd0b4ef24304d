import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this test runs in. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface LockEntry {
  version?: string;
  dev?: boolean;
  link?: boolean;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  license?: string;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

/**
 * Runs a command to its end and resolves with its output; rejects with the output when it
 * fails. No timer: the test's timeout is the cap.
 */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? npmEnv(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed (${err.message})\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/**
 * The environment for a nested npm: without the npm_* variables an outer `npm test` sets
 * (they describe the checkout's package, not the folder the nested npm runs in), but with the
 * same cache and npmrc files.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry']);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase())));
}

/** `npm pack` of the checkout into `dir` (its prepack script builds dist/); the tarball's path. */
export async function packCheckout(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: REPO_ROOT });
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`expected one tarball in ${dir}, found ${JSON.stringify(tarballs)}`);
  return join(dir, tarballs[0]!);
}

/** The paths in a tarball, without npm's leading `package/`. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { cwd: REPO_ROOT });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace(/^package\//, ''));
}

/**
 * Installs the tarball into `appDir` (an empty folder) as a user's project would depend on it,
 * with no network when npm's cache holds the dependencies (as it does after `npm ci` of the
 * checkout), and without compiling anything:
 * - the project's lockfile pins the same dependency versions as the checkout's lockfile (its
 *   production part), so npm takes every tarball from its cache by integrity;
 * - install scripts are not run; the one dependency with a native part (better-sqlite3) gets
 *   the addon that `npm ci` already built for the checkout, after checking that the versions
 *   are the same. What is tested is this package (its files, its declared dependencies, its
 *   bin), not the dependencies' own build scripts.
 */
export async function installTarball(tarball: string, appDir: string): Promise<void> {
  mkdirSync(appDir, { recursive: true });
  const tarballName = tarball.split('/').at(-1)!;
  cpSync(tarball, join(appDir, tarballName));
  const repoLock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const self = repoLock.packages[''];
  if (!self) throw new Error('package-lock.json has no root package');
  const selfName = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string }).name;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;

  const packages: Record<string, unknown> = {
    '': { name: 'packed-install-test', dependencies: { [selfName]: `file:${tarballName}` } },
    [`node_modules/${selfName}`]: {
      version: self.version,
      resolved: `file:${tarballName}`,
      integrity,
      ...(self.license ? { license: self.license } : {}),
      dependencies: self.dependencies ?? {},
      ...(self.bin ? { bin: self.bin } : {}),
      ...(self.engines ? { engines: self.engines } : {}),
    },
  };
  const native: string[] = [];
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.link) continue;
    packages[path] = entry;
    if (entry.hasInstallScript) native.push(path);
  }
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'packed-install-test', private: true, dependencies: { [selfName]: `file:${tarballName}` } }, null, 2));
  writeFileSync(join(appDir, 'package-lock.json'), JSON.stringify({ name: 'packed-install-test', lockfileVersion: 3, requires: true, packages }, null, 2));

  await run('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: appDir });

  for (const path of native) {
    const built = join(REPO_ROOT, path, 'build');
    const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    if (!existsSync(built)) throw new Error(`${path} has no build/ in the checkout: run npm ci there first`);
    if (version(join(REPO_ROOT, path)) !== version(join(appDir, path))) throw new Error(`${path}: the checkout has another version than the lockfile`);
    // Only the addons (*.node), not the compiler's intermediate files.
    cpSync(built, join(appDir, path, 'build'), { recursive: true, filter: (src) => statSync(src).isDirectory() || src.endsWith('.node') });
  }
}
