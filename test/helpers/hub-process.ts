import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A hub running as a child process. */
export interface HubProcess {
  child: ChildProcess;
  /** OCPP endpoint without the station id, e.g. ws://127.0.0.1:40123/ocpp */
  url: string;
  /** The API's base URL (http://host:port), once the API listens. */
  apiUrl: string;
  /** Settles when the process has exited (whatever the reason). */
  exited: Promise<void>;
  /** The JSON log lines read so far, parsed (from the start, and on until the exit). */
  logs: Array<Record<string, unknown>>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

export interface SpawnHubOptions {
  /** The command; default: this Node with tsx on the checkout's src/main.ts. */
  command?: string;
  /** Arguments before the hub's own options; default: ['--import', 'tsx', 'src/main.ts']. */
  prefixArgs?: string[];
  /** Arguments after them (the site config, ports, ...). */
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Children still running when the test worker exits are killed, so a failed test leaks none. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts the hub as a child process and resolves once both its OCPP endpoint and its API
 * listen, as the hub's JSON log lines say. There is no timer here: the wait ends with the
 * log line or with the process's exit (rejecting with the tail of its stderr), so a slow,
 * busy machine only makes it slower; the test's own timeout is the cap.
 */
export function spawnHub(options: SpawnHubOptions): Promise<HubProcess> {
  const command = options.command ?? process.execPath;
  const prefix = options.prefixArgs ?? ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(command, [...prefix, ...options.args, '--json-logs'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk).slice(-4_000);
  });
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };

  return new Promise((resolve, reject) => {
    let url: string | undefined;
    let apiUrl: string | undefined;
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      reject(new Error(`${why}${stderrTail ? `; stderr:\n${stderrTail}` : ''}`));
    };
    child.once('error', (err) => fail(`hub could not be started: ${err.message}`));
    child.once('exit', (code, sig) => fail(`hub exited before it listened (code ${code}, signal ${sig})`));
    const logs: Array<Record<string, unknown>> = [];
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let rec: { msg?: unknown; url?: unknown };
      try {
        rec = JSON.parse(line) as { msg?: unknown; url?: unknown };
      } catch {
        return; // not a log line
      }
      logs.push(rec);
      if (typeof rec.url !== 'string') return;
      if (rec.msg === 'OCPP endpoint listening') url = rec.url.replace('/<stationId>', '');
      if (rec.msg === 'API listening') apiUrl = new URL(rec.url).origin;
      if (url !== undefined && apiUrl !== undefined && !settled) {
        settled = true;
        resolve({ child, url, apiUrl, exited, logs, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') });
      }
    });
  });
}

/**
 * Starts the real CLI from this checkout (as an operator would run it) on free ports and
 * resolves once it listens. Tests kill it with SIGKILL to check durability, or SIGTERM to stop it.
 */
export function startHubProcess(configPath: string): Promise<HubProcess> {
  return spawnHub({ args: ['--config', configPath, '--port', '0', '--api-port', '0'] });
}
