import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { RPCClient, createValidator } from 'ocpp-rpc';
import { WebSocket, WebSocketServer } from 'ws';
import { RpcPeer } from '../../../src/ocpp/rpc-peer.js';
import { rpcOptions } from '../../../src/ocpp/rpc-defaults.js';
import type { RpcPeerOptions, TrafficCounter } from '../../../src/ocpp/rpc-types.js';
import { subprotocolOf, type OcppVersion } from '../../../src/ocpp/versions.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { isoTime, type Clock } from '../../../src/util/clock.js';
import { silentLogger } from '../../../src/util/logger.js';

export const VERSIONS: OcppVersion[] = ['1.6', '2.0.1', '2.1'];

export const bootRequest: Record<OcppVersion, Record<string, unknown>> = {
  '1.6': { chargePointVendor: 'TestVendor', chargePointModel: 'T1' },
  '2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'TestVendor', model: 'T2' } },
  '2.1': { reason: 'PowerUp', chargingStation: { vendorName: 'TestVendor', model: 'T2' } },
};

/** Wire spellings per version, as the peer must send them. */
export const wire = {
  format: { '1.6': 'FormationViolation', '2.0.1': 'FormatViolation', '2.1': 'FormatViolation' },
  framework: { '1.6': 'FormationViolation', '2.0.1': 'RpcFrameworkError', '2.1': 'RpcFrameworkError' },
  occurrence: {
    '1.6': 'OccurenceConstraintViolation',
    '2.0.1': 'OccurenceConstraintViolation',
    '2.1': 'OccurrenceConstraintViolation',
  },
} as const satisfies Record<string, Record<OcppVersion, string>>;

export interface TestHub {
  clock: FakeClock;
  url(identity: string): string;
  /** Resolves with the peer of the next (or an already waiting) connection. */
  nextPeer(): Promise<RpcPeer>;
  stop(): Promise<void>;
}

export interface TestHubOptions {
  version: OcppVersion;
  options?: Partial<Omit<RpcPeerOptions, 'version'>>;
  traffic?: TrafficCounter;
  /** Registers extra handlers on each new peer. */
  setup?: (peer: RpcPeer) => void;
}

/** Handlers every test hub has: BootNotification and Heartbeat. */
export function standardHandlers(peer: RpcPeer, clock: Clock): void {
  peer.handle('Heartbeat', () => ({ currentTime: isoTime(clock.nowMs()) }));
  peer.handle('BootNotification', () => ({ status: 'Accepted', currentTime: isoTime(clock.nowMs()), interval: 300 }));
}

/** A ws server on port 0 that wraps each connection in an RpcPeer for one version. */
export async function startTestHub(opts: TestHubOptions): Promise<TestHub> {
  const clock = new FakeClock();
  const protocol = subprotocolOf(opts.version);
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (offered) => (offered.has(protocol) ? protocol : false),
  });
  await once(wss, 'listening');
  const ready: RpcPeer[] = [];
  const waiting: ((peer: RpcPeer) => void)[] = [];
  wss.on('connection', (socket, req) => {
    const identity = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    const peer = new RpcPeer({
      socket,
      options: rpcOptions(opts.version, opts.options),
      clock,
      log: silentLogger(),
      identity,
      ...(opts.traffic ? { traffic: opts.traffic } : {}),
    });
    standardHandlers(peer, clock);
    opts.setup?.(peer);
    const waiter = waiting.shift();
    if (waiter) waiter(peer);
    else ready.push(peer);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    clock,
    url: (identity) => `ws://127.0.0.1:${port}/ocpp/${encodeURIComponent(identity)}`,
    nextPeer: () => {
      const peer = ready.shift();
      return peer ? Promise.resolve(peer) : new Promise((resolve) => waiting.push(resolve));
    },
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const require = createRequire(import.meta.url);

/**
 * ocpp-rpc's strict mode looks schemas up as `urn:<Action>.req/.conf` for every version, but its
 * 2.1 schemas are named `urn:<Action>Request/Response`: a validator with the ids renamed lets a
 * strict ocpp-rpc client speak 2.1.
 */
export function ocppRpc21Validator(): ReturnType<typeof createValidator> {
  const schemas: { $id: string }[] = require('ocpp-rpc/lib/schemas/ocpp2_1.json');
  const renamed = schemas.map((s) => ({
    ...withoutStrayKeywords(s),
    $id: s.$id.replace(/Request$/, '.req').replace(/Response$/, '.conf'),
  }));
  return createValidator('ocpp2.1', renamed);
}

/**
 * The 2.1 enum definitions carry `additionalProperties` without `type: object`, which ocpp-rpc's
 * ajv reports on every compile. The keyword only applies to objects, so dropping it there
 * changes nothing but the noise.
 */
function withoutStrayKeywords<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutStrayKeywords(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value)
    .filter(([k]) => !(k === 'additionalProperties' && 'enum' in value))
    .map(([k, v]) => [k, withoutStrayKeywords(v)]);
  return Object.fromEntries(entries) as T;
}

/** An independent OCPP implementation as the charger: ocpp-rpc in strict mode. */
export function strictClient(url: string, identity: string, version: OcppVersion): RPCClient {
  return new RPCClient({
    endpoint: url.slice(0, url.lastIndexOf('/')),
    identity,
    protocols: [subprotocolOf(version)],
    strictMode: true,
    strictModeValidators: version === '2.1' ? [ocppRpc21Validator()] : [],
    reconnect: false,
    maxReconnects: 0,
    callTimeoutMs: 10_000,
    pingIntervalMs: 0,
    deferPingsOnActivity: false,
    respondWithDetailedErrors: false,
    callConcurrency: 1,
    maxBadMessages: Infinity,
    password: null,
    wsOpts: {},
    headers: {},
    backoff: { initialDelay: 1000, maxDelay: 10_000, factor: 2, randomisationFactor: 0.25 },
  });
}

/** A plain ws client that sends any text and reads frames one by one, in order. */
export class RawClient {
  private readonly frames: string[] = [];
  private readonly waiters: ((text: string) => void)[] = [];
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      const waiter = this.waiters.shift();
      if (waiter) waiter(text);
      else this.frames.push(text);
    });
  }

  static async connect(url: string, version: OcppVersion): Promise<RawClient> {
    const socket = new WebSocket(url, [subprotocolOf(version)]);
    await once(socket, 'open');
    return new RawClient(socket);
  }

  send(frame: string | unknown[]): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame received, parsed. */
  async next(): Promise<unknown[]> {
    const text = this.frames.shift() ?? (await new Promise<string>((resolve) => this.waiters.push(resolve)));
    return JSON.parse(text) as unknown[];
  }

  /**
   * Sends a Heartbeat CALL and returns every frame received before its answer, which proves
   * the session still answers and shows what else came back in between.
   */
  async heartbeatRoundTrip(): Promise<unknown[][]> {
    const id = `hb-${this.nextId++}`;
    this.send([2, id, 'Heartbeat', {}]);
    const before: unknown[][] = [];
    for (;;) {
      const frame = await this.next();
      if (frame[1] === id) {
        if (frame[0] !== 3) throw new Error(`Heartbeat answered with ${JSON.stringify(frame)}`);
        return before;
      }
      before.push(frame);
    }
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await once(this.socket, 'close');
  }
}
