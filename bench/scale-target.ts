/**
 * The servers the scale benchmark drives: the real hub (the CLI, in a child process) and the
 * bare `ws` echo server that serves as the baseline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningPorts } from './proc-stats.js';
import { ensureBuilt, sleepMs, startCompiledProcess, startScriptNodeArgs, startTsxProcess, type ServerProcess } from './server-process.js';

export interface ScaleTarget {
  label: string;
  proc: ServerProcess;
  /** ws://host:port/<prefix>; stations connect to <url>/<stationId>. */
  url: string;
  /** Whether BootNotification answers carry a status that must be Accepted. */
  answersBoot: boolean;
  /** Stations the server says are connected, when it can tell. */
  stationsConnected?(): Promise<number>;
  /** From spawning the process until it answered on its ports, s. */
  startS: number;
  /** Time for one GET of an API path (hub only), ms. */
  apiGetMs?(path: string): Promise<number>;
  /** p99 of the event-loop delay since the last call (the metric resets at every scrape), ms. */
  eventLoopP99Ms?(): Promise<number>;
  /** p99 and max of the event-loop delay since the last scrape, ms (10 ms sampling interval included). */
  eventLoopLagMs?(): Promise<{ p99: number; max: number }>;
  /** The V8 heap (used, total) and memory outside it (external), MiB, from the hub's /metrics. */
  heapMiB?(): Promise<{ used: number; total: number; external: number }>;
  /** The hub's control decisions so far and their total wall time, s (from its /metrics). */
  controlStats?(): Promise<{ decisions: number; decisionS: number }>;
  stop(): Promise<void>;
}

/** The id tag the hub's local list accepts. */
export const BENCH_ID_TAG = 'BENCHTAG';

const START_TIMEOUT_MS = 60_000;

/**
 * The hub's site config. Undeclared: unknown stations are admitted, so connecting costs no
 * password check (scrypt) per station. Declared (`declaredStations` > 0): every station the fleet
 * uses is in the config with one 3-phase EVSE on a circuit of its row (rows of 50 under one main),
 * as a real site has them, so the controller, dispatcher and read models carry N EVSEs; security
 * profile 0 keeps password hashing out of the figure (it is measured elsewhere).
 */
function hubConfigYaml(declaredStations: number, extraLines: readonly string[]): string {
  const maxConnections = Number(process.env['BENCH_SCALE_MAX_CONNECTIONS'] ?? Math.max(1000, Number(process.env['BENCH_SCALE_N'] ?? 1000) + 100));
  const lines = [
    // The fleet connects from one loopback address: the per-address handshake limit is raised to
    // the total one (a real site's stations come from many addresses), and the connection limit
    // (default 1,000) to what the run needs; BENCH_SCALE_MAX_CONNECTIONS overrides.
    `server: { host: 127.0.0.1, pathPrefix: /ocpp, admitUnknownStations: ${declaredStations > 0 ? 'false' : 'true'}, limits: { maxConnections: ${maxConnections}, maxPendingPerAddress: 200 } }`,
    'api: { host: 127.0.0.1 }',
    'data: { dir: ./data }',
    'mqtt: { embeddedPort: 0 }',
    `authorization: { list: [{ idToken: ${BENCH_ID_TAG} }] }`,
  ];
  if (declaredStations > 0) {
    const rows = Math.ceil(declaredStations / 50);
    lines.push('circuits:', `  - { id: main, maxCurrentA: ${rows * 400}, worstCaseNonEvA: 0 }`);
    for (let r = 0; r < rows; r++) lines.push(`  - { id: row-${r}, parent: main, maxCurrentA: 400 }`);
    lines.push('stations:');
    for (let i = 0; i < declaredStations; i++) {
      lines.push(`  - { id: ${benchStationId(i)}, securityProfile: 0, evses: [{ id: 1, circuit: row-${Math.floor(i / 50)}, phases: 3, maxCurrentA: 16 }] }`);
    }
  }
  lines.push(...extraLines, '');
  return lines.join('\n');
}

/** The id of the i-th station of the fleet (bench/fleet.ts). */
export function benchStationId(i: number): string {
  return `BENCH-${String(i).padStart(5, '0')}`;
}

async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return undefined;
  }
}

/**
 * Starts the hub CLI on free ports with logs at warn (so that the hub does not spend time
 * logging every connection). With no log line to read, the ports are found from the sockets the
 * process listens on: the API answers /api/health, the OCPP endpoint answers plain HTTP with 426.
 */
export async function startHubTarget(declaredStations = 0, extraConfigLines: readonly string[] = [], extraNodeArgs: readonly string[] = []): Promise<ScaleTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const configPath = join(dir, 'site.yaml');
  writeFileSync(configPath, hubConfigYaml(declaredStations, extraConfigLines));
  // The start script's node options first (as `npm start`), then BENCH_HUB_NODE_ARGS, e.g.
  // "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the hub, "--max-old-space-size=4096" lifts the cap.
  const nodeArgs = [...startScriptNodeArgs(), ...(process.env['BENCH_HUB_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== ''), ...extraNodeArgs];
  // BENCH_HUB_RUNTIME=tsx runs the sources as before; by default the compiled hub, as `npm start` does (built first, not timed).
  const compiled = process.env['BENCH_HUB_RUNTIME'] !== 'tsx';
  if (compiled) ensureBuilt();
  const t0 = performance.now();
  const hubArgs = ['--config', configPath, '--port', '0', '--api-port', '0', '--json-logs', '--log-level', 'warn'];
  const proc = compiled ? startCompiledProcess('dist/src/main.js', hubArgs, nodeArgs) : startTsxProcess('src/main.ts', hubArgs, nodeArgs);
  let ocppPort: number | undefined;
  let apiPort: number | undefined;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (ocppPort === undefined || apiPort === undefined) {
    if (proc.exited) throw new Error(`hub exited during start:\n${proc.recentOutput()}`);
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`hub did not listen within ${START_TIMEOUT_MS} ms:\n${proc.recentOutput()}`);
    }
    for (const port of listeningPorts(proc.pid)) {
      if (port === ocppPort || port === apiPort) continue;
      const status = await httpStatus(`http://127.0.0.1:${port}/api/health`);
      if (status === 200) apiPort = port;
      else if (status === 426) ocppPort = port;
    }
    await sleepMs(100);
  }
  const startS = (performance.now() - t0) / 1000;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  async function eventLoopLagMs(): Promise<{ p99: number; max: number }> {
    const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    const ms = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(' ')[1]) * 1000 : Number.NaN;
    };
    return { p99: ms('nodejs_eventloop_lag_p99_seconds'), max: ms('nodejs_eventloop_lag_max_seconds') };
  }
  return {
    startS,
    async apiGetMs(path: string) {
      const t = performance.now();
      const res = await fetch(`${apiUrl}${path}`, { signal: AbortSignal.timeout(300_000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      return performance.now() - t;
    },
    async eventLoopP99Ms() {
      return (await eventLoopLagMs()).p99;
    },
    eventLoopLagMs,
    async heapMiB() {
      const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      const value = (name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? Number.NaN) / 1048576;
      return { used: value('nodejs_heap_size_used_bytes'), total: value('nodejs_heap_size_total_bytes'), external: value('nodejs_external_memory_bytes') };
    },
    async controlStats() {
      const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(60_000) });
      const text = await res.text();
      const value = (name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? Number.NaN);
      return { decisions: value('switchyard_control_decisions_total'), decisionS: value('switchyard_control_decision_seconds_sum') };
    },
    label: declaredStations > 0 ? `hub (${declaredStations} declared)` : 'hub',
    proc,
    url: `ws://127.0.0.1:${ocppPort}/ocpp`,
    answersBoot: true,
    async stationsConnected() {
      const res = await fetch(`${apiUrl}/api/health`, { signal: AbortSignal.timeout(30_000) });
      const body = (await res.json()) as { stationsConnected?: number };
      return body.stationsConnected ?? Number.NaN;
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts the bare echo server (bench/echo-server.ts) and waits for its port. */
export async function startEchoTarget(): Promise<ScaleTarget> {
  const t0 = performance.now();
  const proc = startTsxProcess('bench/echo-server.ts', []);
  const port = await portOf(proc, 'echo server');
  const startS = (performance.now() - t0) / 1000;
  return { label: 'bare ws echo', proc, url: `ws://127.0.0.1:${port}/ocpp`, answersBoot: false, startS, stop: () => proc.stop() };
}

/** Starts the bare relay (bench/relay-server.ts) towards the CSMS at `csmsUrl`; its station URL once it listens. */
export async function startRelayTarget(csmsUrl: string, busyUsPerFrame = 0): Promise<{ url: string; stop: () => Promise<void> }> {
  const proc = startTsxProcess('bench/relay-server.ts', [csmsUrl, String(busyUsPerFrame)]);
  const port = await portOf(proc, 'relay');
  return { url: `ws://127.0.0.1:${port}/ocpp`, stop: () => proc.stop() };
}

/** The port a baseline server prints as {"port": N} once it listens. */
function portOf(proc: ServerProcess, what: string): Promise<number> {
  return new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${proc.recentOutput()}`)), START_TIMEOUT_MS);
    proc.onLine((line) => {
      try {
        const { port: p } = JSON.parse(line) as { port?: number };
        if (typeof p === 'number' && p > 0) {
          clearTimeout(timer);
          resolvePort(p);
        }
      } catch {
        // not the port line
      }
    });
  });
}
