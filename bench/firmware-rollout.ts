/**
 * Issue 10: upstream bytes of ONE firmware roll-out to 20 chargers (10 OCPP 1.6, 10 OCPP 2.0.1),
 * counted on the CSMS's side (its WebSocket frames both ways, its file server's socket bytes):
 *   (a) direct: every charger on its own link gets UpdateFirmware and downloads the image from
 *       the CSMS's file server itself (the baseline);
 *   (b) the real hub in hub mode: one UpdateFirmware to the site; the hub fetches the image once
 *       and the chargers download it from the hub's own HTTP server on the local network.
 * Each charger downloads the location it was given, checks the bytes and reports Downloading,
 * Downloaded, Installing, Installed. Frames count 81 bytes each below the WebSocket (TLS record
 * + TCP/IP, as in W1); the HTTP transfer counts 29 bytes per 16 KiB TLS record and 52 bytes per
 * 1448-byte TCP segment. Image size: BENCH_FW_MB (default 8 MiB), random bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ocppRpc, { type RPCClient } from 'ocpp-rpc';
import { siteConfigSchema } from '../src/config/schema.js';
import { startHub, type RunningHub } from '../src/hub.js';
import { HubUpstream } from '../src/upstream/hub/hub-upstream.js';
import { strictModeValidators } from '../src/sim/rpc-validators.js';
import { silentLogger } from '../src/util/logger.js';
import type { Benchmark, BenchResult } from './bench-types.js';

const CHARGERS = 20;
const SITE = 'FW-SITE';
const FRAME_OVERHEAD_BYTES = 81;
const STATUSES = ['Downloading', 'Downloaded', 'Installing', 'Installed'];

interface Counts {
  wsBytes: number;
  wsFrames: number;
  httpBytes: number;
}

function httpWireBytes(bytes: number): number {
  return bytes + 29 * Math.ceil(bytes / 16_384) + 52 * Math.ceil(bytes / 1448);
}

function totalOf(c: Counts): number {
  return c.wsBytes + c.wsFrames * FRAME_OVERHEAD_BYTES + httpWireBytes(c.httpBytes);
}

/** The CSMS's file server: serves the image; `bytes()` is what crossed its sockets both ways. */
async function fileServer(image: Buffer): Promise<{ url: string; server: Server; bytes: () => number }> {
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': image.length }).end(image));
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const bytes = (): number => [...sockets].reduce((sum, s) => sum + s.bytesRead + s.bytesWritten, 0);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fw/image-2.0.bin`, server, bytes };
}

interface CsmsServerClient {
  identity: string;
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (ctx: { method?: string; params?: Record<string, unknown> }) => Promise<Record<string, unknown>>): void;
  on(event: 'message', fn: (m: { message: string | Buffer }) => void): void;
}

/** A strict CSMS that counts every frame; `installed` resolves once `expected` Installed notifications came. */
async function csms(
  counts: Counts,
  expected: number,
): Promise<{ url: string; server: InstanceType<typeof ocppRpc.RPCServer>; clients: Map<string, CsmsServerClient>; installed: Promise<void>; clientsReady: (identity: string) => Promise<void> }> {
  const server = new ocppRpc.RPCServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'], strictMode: true, strictModeValidators: strictModeValidators() });
  const clients = new Map<string, CsmsServerClient>();
  let installed = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const arrivals = new Set<() => void>();
  server.on('client', (client: CsmsServerClient) => {
    clients.set(client.identity, client);
    for (const a of [...arrivals]) a();
    client.on('message', ({ message }) => {
      counts.wsBytes += Buffer.byteLength(message);
      counts.wsFrames++;
    });
    client.handle(({ method, params }) => {
      if (method === 'BootNotification') return Promise.resolve({ currentTime: new Date().toISOString(), status: 'Accepted', interval: 300 });
      if (method === 'Heartbeat') return Promise.resolve({ currentTime: new Date().toISOString() });
      if (method === 'FirmwareStatusNotification' && params?.status === 'Installed' && ++installed === expected) done();
      return Promise.resolve({});
    });
  });
  const http = await server.listen(0, '127.0.0.1');
  const clientsReady = (identity: string): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (!clients.has(identity)) return;
        arrivals.delete(check);
        resolve();
      };
      arrivals.add(check);
      check();
    });
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/csms`, server, clients, installed: all, clientsReady };
}

/** A strict charger that downloads what UpdateFirmware names and reports its progress. */
async function charger(endpoint: string, id: string, version: '1.6' | '2.0.1', md5: string): Promise<RPCClient> {
  const c = new ocppRpc.RPCClient({
    endpoint,
    identity: id,
    protocols: [`ocpp${version}`],
    strictMode: true,
    strictModeValidators: [],
    reconnect: false,
    maxReconnects: 0,
    callTimeoutMs: 60_000,
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
  c.handle('UpdateFirmware', ({ params = {} }) => {
    const location = version === '1.6' ? String(params.location) : String((params.firmware as { location: string }).location);
    const requestId = params.requestId as number | undefined;
    setImmediate(() => {
      void (async () => {
        const report = (status: string) => c.call('FirmwareStatusNotification', version === '1.6' ? { status } : { status, requestId });
        await report(STATUSES[0] ?? '');
        const body = Buffer.from(await (await fetch(location)).arrayBuffer());
        if (createHash('md5').update(body).digest('hex') !== md5) throw new Error(`${id}: image differs`);
        for (const status of STATUSES.slice(1)) await report(status);
      })();
    });
    return Promise.resolve(version === '1.6' ? {} : { status: 'Accepted' });
  });
  await c.connect();
  await c.call('BootNotification', version === '1.6' ? { chargePointVendor: 'Bench', chargePointModel: 'FW' } : { reason: 'PowerUp', chargingStation: { vendorName: 'Bench', model: 'FW' } });
  return c;
}

const versionOf = (i: number): '1.6' | '2.0.1' => (i % 2 === 0 ? '1.6' : '2.0.1');
const idOf = (i: number): string => `FW${String(i + 1).padStart(2, '0')}`;

async function direct(image: Buffer, md5: string): Promise<Counts> {
  const counts: Counts = { wsBytes: 0, wsFrames: 0, httpBytes: 0 };
  const files = await fileServer(image);
  const up = await csms(counts, CHARGERS);
  const chargers = await Promise.all(Array.from({ length: CHARGERS }, (_, i) => charger(`${up.url}`, idOf(i), versionOf(i), md5)));
  const before = { ...counts };
  const retrieveDateTime = new Date().toISOString();
  await Promise.all(
    Array.from({ length: CHARGERS }, (_, i) => {
      const client = up.clients.get(idOf(i));
      if (!client) throw new Error(`${idOf(i)} not connected`);
      return versionOf(i) === '1.6'
        ? client.call('UpdateFirmware', { location: files.url, retrieveDate: retrieveDateTime })
        : client.call('UpdateFirmware', { requestId: 1, firmware: { location: files.url, retrieveDateTime } });
    }),
  );
  await up.installed;
  counts.httpBytes = files.bytes();
  for (const c of chargers) await c.close({ force: true });
  files.server.closeAllConnections();
  await new Promise<void>((resolve) => files.server.close(() => resolve()));
  await up.server.close({ force: true, awaitPending: false });
  return { wsBytes: counts.wsBytes - before.wsBytes, wsFrames: counts.wsFrames - before.wsFrames, httpBytes: counts.httpBytes - before.httpBytes };
}

async function viaHub(image: Buffer, md5: string): Promise<{ counts: Counts; servedLocally: number }> {
  const counts: Counts = { wsBytes: 0, wsFrames: 0, httpBytes: 0 };
  const files = await fileServer(image);
  const up = await csms(counts, 1);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-fw-'));
  let hub: RunningHub | undefined;
  try {
    const config = siteConfigSchema.parse({
      server: { host: '127.0.0.1', port: 0, pingIntervalS: 0 },
      api: { port: 0 },
      data: { dir },
      stations: Array.from({ length: CHARGERS }, (_, i) => ({ id: idOf(i), securityProfile: 0 })),
      upstream: { mode: 'hub', url: up.url, identity: SITE, version: '2.0.1', pingIntervalS: 0, callTimeoutS: 600, firmware: { host: '127.0.0.1', port: 0 } },
    });
    hub = await startHub({ config, configPath: join(dir, 'site.yaml'), log: silentLogger() });
    const site = hub.upstream;
    if (!(site instanceof HubUpstream)) throw new Error('not in hub mode');
    await up.clientsReady(SITE);
    const chargers = await Promise.all(Array.from({ length: CHARGERS }, (_, i) => charger(hub?.ocppUrl ?? '', idOf(i), versionOf(i), md5)));
    const before = { ...counts };
    const client = up.clients.get(SITE);
    if (!client) throw new Error('site not connected');
    await client.call('UpdateFirmware', { requestId: 1, firmware: { location: files.url, retrieveDateTime: new Date().toISOString() } });
    await up.installed;
    counts.httpBytes = files.bytes();
    const servedLocally = site.firmwareDepot.servedBytes;
    for (const c of chargers) await c.close({ force: true });
    files.server.closeAllConnections();
    await new Promise<void>((resolve) => files.server.close(() => resolve()));
    return { counts: { wsBytes: counts.wsBytes - before.wsBytes, wsFrames: counts.wsFrames - before.wsFrames, httpBytes: counts.httpBytes - before.httpBytes }, servedLocally };
  } finally {
    await hub?.stop();
    await up.server.close({ force: true, awaitPending: false });
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'firmware',
  workload: 'issue 10',
  title: 'upstream bytes of one firmware roll-out to 20 chargers: hub mode (image fetched once) vs each charger direct',
  async run(progress): Promise<BenchResult> {
    const mb = Number(process.env.BENCH_FW_MB ?? 8);
    const image = randomBytes(Math.round(mb * 1024 * 1024));
    const md5 = createHash('md5').update(image).digest('hex');
    progress(`image ${image.length} bytes; (a) direct, 20 chargers`);
    const a = await direct(image, md5);
    progress('(b) hub mode');
    const b = await viaHub(image, md5);
    const MB = 1_000_000;
    return {
      rows: [
        { metric: 'upstream bytes, whole roll-out', value: totalOf(b.counts) / MB, unit: 'MB', baseline: { label: 'each charger direct', value: totalOf(a) / MB }, digits: 2 },
        { metric: 'image bytes over the upstream link', value: b.counts.httpBytes / MB, unit: 'MB', baseline: { label: 'each charger direct', value: a.httpBytes / MB }, digits: 2 },
        { metric: 'OCPP frames upstream', value: b.counts.wsFrames, unit: 'frames', baseline: { label: 'each charger direct', value: a.wsFrames }, digits: 0 },
        { metric: 'OCPP bytes upstream (with 81 B/frame)', value: (b.counts.wsBytes + b.counts.wsFrames * FRAME_OVERHEAD_BYTES) / 1000, unit: 'kB', baseline: { label: 'each charger direct', value: (a.wsBytes + a.wsFrames * FRAME_OVERHEAD_BYTES) / 1000 }, digits: 1 },
      ],
      notes: [
        `image ${image.length} bytes; 10 OCPP 1.6 + 10 OCPP 2.0.1 chargers; hub served ${b.servedLocally} bytes to them on the local network`,
        'HTTP counted as socket bytes at the CSMS file server (headers included) + 29 B per 16 KiB TLS record + 52 B per 1448 B TCP segment; no TLS/TCP handshakes',
        'hub mode sends one FirmwareStatusNotification per charger status change (per-EVSE progress, 80 for 20 chargers x 4 statuses), each with the roll-out status and the EVSE in customData',
      ],
    };
  },
};
