/**
 * A server under test run as a child process (`node --import tsx <script> ...`), so that its
 * memory and CPU time can be read apart from the load generator's. Children still running when
 * the benchmark process exits are killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ServerProcess {
  readonly pid: number;
  /** Whether the process has ended. */
  readonly exited: boolean;
  /** The last lines it printed on stdout and stderr, for error messages. */
  recentOutput(): string;
  /** Called with every stdout line from now on. */
  onLine(listener: (line: string) => void): void;
  /** SIGTERM, then SIGKILL if it has not ended after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_LINES = 40;

/** Starts `script` (a path relative to the repository root) with tsx, in the repository root. */
export function startTsxProcess(script: string, args: readonly string[], nodeArgs: readonly string[] = []): ServerProcess {
  return startNodeProcess(['--import', 'tsx', script], args, nodeArgs);
}

/**
 * Starts a compiled script (a path relative to the repository root, e.g. `dist/src/main.js`)
 * with plain node, in the repository root. `npm run build` makes dist/.
 */
export function startCompiledProcess(script: string, args: readonly string[], nodeArgs: readonly string[] = []): ServerProcess {
  ensureBuilt();
  return startNodeProcess([script], args, nodeArgs);
}

/**
 * The node options of package.json's start script (e.g. the old-space cap), so a benchmark runs
 * the hub as `npm start` does. Options given after them (BENCH_HUB_NODE_ARGS) override them.
 */
export function startScriptNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  if (words[0] !== 'node') return [];
  const args: string[] = [];
  for (const w of words.slice(1)) {
    if (!w.startsWith('--')) break;
    args.push(w);
  }
  return args;
}

let built = false;

/** Builds dist/ if any source is newer than it (what `npm start` does first), once per run. */
export function ensureBuilt(): void {
  if (built) return;
  const r = spawnSync(process.execPath, ['scripts/build-if-stale.js'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
  built = true;
}

function startNodeProcess(entry: readonly string[], args: readonly string[], nodeArgs: readonly string[]): ServerProcess {
  const script = entry[entry.length - 1] ?? '';
  const child = spawn(process.execPath, [...nodeArgs, ...entry, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const pid = child.pid;
  running.add(child);
  const recent: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  const keep = (line: string) => {
    recent.push(line);
    if (recent.length > KEEP_LINES) recent.shift();
  };
  // BENCH_TEE=<file> appends the process's stdout to a file (e.g. V8's --trace-gc or --trace-opt output).
  const teeFile = process.env['BENCH_TEE'];
  if (teeFile) child.stdout.on('data', (d: Buffer) => appendFileSync(teeFile, d));
  createInterface({ input: child.stdout }).on('line', (line) => {
    keep(line);
    for (const l of listeners) l(line);
  });
  createInterface({ input: child.stderr }).on('line', keep);
  let exited = false;
  const ended = new Promise<void>((resolveEnded) => {
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolveEnded();
    });
  });
  return {
    pid,
    get exited() {
      return exited;
    },
    recentOutput: () => recent.join('\n'),
    onLine: (listener) => listeners.push(listener),
    async stop(graceMs = 10_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await ended;
      clearTimeout(timer);
    },
  };
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
