import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError, loadSiteConfig } from '../config/load.js';
import { dbPathOf, resolveDataDir } from '../config/data-dir.js';
import { createLogger } from '../util/logger.js';
import { startHub } from '../hub.js';
import { describeFailure, EXIT, UsageError } from './exit-codes.js';
import { installLastResortHandlers } from './last-resort.js';
import { describeSimulation, simulationProblem } from './simulation-gate.js';
import { checkHeapLimit, heapLimitMiB } from './heap-limit.js';
import { maxConnectionsOf } from '../config/connection-limit.js';
import { packageRoot } from './version.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type Level = (typeof LEVELS)[number];

export const RUN_OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  'api-port': { type: 'string' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string', default: 'info' },
  'json-logs': { type: 'boolean', default: false },
  simulate: { type: 'boolean', default: false },
} as const;

function parsePort(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`${flag}: expected a port number 0-65535, found ${JSON.stringify(v)}`);
  return n;
}

/**
 * Runs the hub until SIGINT/SIGTERM. Resolves with an exit code when it could not start
 * (after printing why), or -1 once it runs (the signal handlers exit the process).
 */
export async function runHub(args: readonly string[], stderr: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: RUN_OPTIONS });
  if (positionals.length > 0) throw new UsageError(`unknown command ${JSON.stringify(positionals[0])}`);
  const level = values['log-level'] as Level;
  if (!LEVELS.includes(level)) throw new UsageError(`--log-level: expected one of ${LEVELS.join(', ')}, found ${JSON.stringify(level)}`);
  const port = parsePort(values.port, '--port');
  const apiPort = parsePort(values['api-port'], '--api-port');

  // Paths given on the command line resolve against the working directory; paths inside the
  // config resolve against the config file's directory.
  const configPath = resolve(values.config ?? resolve(packageRoot(), 'site-config/demo.yaml'));
  const config = loadSiteConfig(configPath);
  if (port !== undefined) config.server.port = port;
  if (apiPort !== undefined) config.api.port = apiPort;
  if (values['data-dir'] !== undefined) config.data.dir = resolve(values['data-dir']);
  const sim = simulationProblem(config, configPath, values.simulate);
  if (sim) throw new ConfigError(configPath, [sim]);

  const log = createLogger({ level, pretty: !values['json-logs'] });
  installLastResortHandlers(log);
  if (config.simulation?.enabled) {
    log.warn({ config: configPath }, `SIMULATION: this hub runs ${describeSimulation(config)}; they are not real devices (simulation.enabled)`);
  }
  const stations = Math.max(config.stations.length, maxConnectionsOf(config));
  const heap = checkHeapLimit(heapLimitMiB(), stations);
  if (heap.suggestedMiB !== undefined) {
    log.warn(
      { heapLimitMiB: Math.round(heap.heapLimitMiB), stations, estimatedLiveMiB: Math.round(heap.estimatedLiveMiB) },
      `the V8 heap limit is tight for this many stations: start node with --max-old-space-size=${heap.suggestedMiB} (README, "Memory")`,
    );
  } else {
    log.info({ heapLimitMiB: Math.round(heap.heapLimitMiB), stations, estimatedLiveMiB: Math.round(heap.estimatedLiveMiB) }, 'V8 heap limit');
  }
  const dataDir = resolveDataDir(config, configPath);
  // Signals are taken from the start: one that arrives while the hub is still starting (its
  // "listening" lines are already out) stops it cleanly once it has started.
  let hub: Awaited<ReturnType<typeof startHub>> | undefined;
  let stopRequested: string | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (!hub) {
      stopRequested ??= signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    hub
      .stop()
      .then(() => {
        log.flush?.();
        process.exit(EXIT.ok);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(EXIT.failure);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    hub = await startHub({ config, configPath, log });
  } catch (err) {
    const failure = describeFailure(err, { dataDir, dbPath: dbPathOf(dataDir) });
    log.flush?.();
    stderr.write(`${failure.message}\n`);
    return failure.code;
  }
  if (stopRequested !== undefined) stop(stopRequested);
  return -1;
}
