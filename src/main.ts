#!/usr/bin/env node
/** Switchyard CLI: parse arguments, load the site config, start the hub, stop on signals. */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadSiteConfig } from './config/load.js';
import { hashPassword } from './evse/password.js';
import { createLogger } from './util/logger.js';
import { startHub } from './hub.js';
import { backupCommand } from './cli/backup.js';

const HELP = `switchyard - on-site OCPP hub and local energy manager

Usage:
  switchyard [--config FILE] [--port N] [--api-port N] [--data-dir DIR] [--log-level LEVEL]
  switchyard hash-password PASSWORD     print a hash for a station's passwordHash
  switchyard backup FILE [--config FILE | --data-dir DIR]
                                        online copy of the database (safe while the hub runs)

Options:
  --config FILE      site config (default: site-config/demo.yaml, the demo site)
  --port N           OCPP WebSocket port (overrides server.port)
  --api-port N       HTTP API port (overrides api.port)
  --data-dir DIR     where the SQLite database lives (overrides data.dir)
  --log-level LEVEL  trace, debug, info, warn, error, silent (default: info)
  --json-logs        JSON log lines instead of the readable terminal format
  -h, --help         this text
`;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type Level = (typeof LEVELS)[number];

function defaultConfigPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/main.ts -> ../site-config; dist/src/main.js -> ../../site-config
  const up = here.includes(`${'dist'}`) ? '../..' : '..';
  return resolve(here, up, 'site-config/demo.yaml');
}

function parsePort(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: expected a port number 0-65535, found ${JSON.stringify(v)}`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      'api-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'json-logs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals[0] === 'hash-password') {
    const pw = positionals[1];
    if (!pw) throw new Error('hash-password: expected a password argument');
    process.stdout.write(`${hashPassword(pw)}\n`);
    return 0;
  }
  if (positionals[0] === 'backup') return backupCommand({ target: positionals[1], configPath: resolve(values.config ?? defaultConfigPath()), dataDir: values['data-dir'] });
  if (positionals.length > 0) throw new Error(`unknown command ${JSON.stringify(positionals[0])} (see --help)`);
  const level = values['log-level'] as Level;
  if (!LEVELS.includes(level)) throw new Error(`--log-level: expected one of ${LEVELS.join(', ')}, found ${JSON.stringify(level)}`);

  const configPath = resolve(values.config ?? defaultConfigPath());
  const config = loadSiteConfig(configPath);
  const port = parsePort(values.port, '--port');
  const apiPort = parsePort(values['api-port'], '--api-port');
  if (port !== undefined) config.server.port = port;
  if (apiPort !== undefined) config.api.port = apiPort;
  if (values['data-dir']) config.data.dir = values['data-dir'];

  const log = createLogger({ level, pretty: !values['json-logs'] });
  const hub = await startHub({ config, configPath, log });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    hub
      .stop()
      .then(() => {
        log.flush?.();
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return -1;
}

main()
  .then((code) => {
    if (code >= 0) process.exit(code);
  })
  .catch((err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`switchyard: ${(err as Error).message ?? String(err)}`);
    process.exit(2);
  });
