import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { ocpp21Validator } from './ocpp21-validator.js';
import { parseSiteConfig } from '../../src/config/load.js';
import type { SiteConfig } from '../../src/config/schema.js';
import { startHub, type RunningHub } from '../../src/hub.js';
import { silentLogger } from '../../src/util/logger.js';
import type { Clock } from '../../src/util/clock.js';
import type { Logger } from '../../src/util/logger.js';

export interface Harness {
  hub: RunningHub;
  dir: string;
  config: SiteConfig;
  stop(): Promise<void>;
}

/**
 * Starts a real hub on free ports with a temp data dir. `yaml` is a site-config text.
 * `steppedFromEvses`: see HubDeps (0 runs every non-urgent decision step by step on the clock).
 * `bootId`: the system's boot id as the store sees it (see HubDeps).
 */
export async function startTestHub(yaml: string, opts: { clock?: Clock; dir?: string; log?: Logger; steppedFromEvses?: number; bootId?: string } = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'switchyard-test-'));
  const config = parseSiteConfig(yaml, 'test.yaml');
  config.server.port = 0;
  config.server.host = '127.0.0.1';
  config.api.port = 0;
  config.data.dir = dir;
  const hub = await startHub({
    config,
    configPath: join(dir, 'test.yaml'),
    log: opts.log ?? silentLogger(),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.steppedFromEvses !== undefined ? { steppedFromEvses: opts.steppedFromEvses } : {}),
    ...(opts.bootId !== undefined ? { bootId: opts.bootId } : {}),
  });
  return {
    hub,
    dir,
    config,
    async stop() {
      await hub.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ClientOptions {
  version?: '1.6' | '2.0.1' | '2.1';
  password?: string;
  wsOpts?: Record<string, unknown>;
  /** How long a call waits for its answer; default 10 s. */
  callTimeoutMs?: number;
  /** Calls sent before earlier ones are answered; default 1 (OCPP's rule for a station). */
  callConcurrency?: number;
}

/** An independent OCPP implementation as the charger: ocpp-rpc in strict mode. */
export function ocppClient(endpoint: string, identity: string, opts: ClientOptions = {}): RPCClient {
  return new RPCClient({
    endpoint,
    identity,
    protocols: [`ocpp${opts.version ?? '1.6'}`],
    strictMode: true,
    strictModeValidators: opts.version === '2.1' ? [ocpp21Validator()] : [],
    reconnect: false,
    maxReconnects: 0,
    callTimeoutMs: opts.callTimeoutMs ?? 10_000,
    pingIntervalMs: 0,
    deferPingsOnActivity: false,
    respondWithDetailedErrors: false,
    callConcurrency: opts.callConcurrency ?? 1,
    maxBadMessages: Infinity,
    password: opts.password ?? null,
    wsOpts: opts.wsOpts ?? {},
    headers: {},
    backoff: { initialDelay: 1000, maxDelay: 10_000, factor: 2, randomisationFactor: 0.25 },
  });
}

export const boot16 = { chargePointVendor: 'TestVendor', chargePointModel: 'T1' };
export const boot2x = { reason: 'PowerUp', chargingStation: { vendorName: 'TestVendor', model: 'T2' } };

/** A booted 1.6 station (connector 1 Available) that accepts the hub's profile writes and refuses any other call. */
export async function profileAcceptingStation16(endpoint: string, identity: string): Promise<RPCClient> {
  const cp = ocppClient(endpoint, identity);
  cp.handle(async ({ method }) => {
    if (method === 'SetChargingProfile' || method === 'ClearChargingProfile') return { status: 'Accepted' };
    throw new Error(`unexpected ${String(method)}`);
  });
  await cp.connect();
  await cp.call('BootNotification', boot16);
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  return cp;
}
