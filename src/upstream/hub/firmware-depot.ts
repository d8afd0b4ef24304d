import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../util/logger.js';
import type { FirmwareDepot, FirmwareImage } from '../hub-mode/blocks/firmware.js';

export interface FirmwareDepotDeps {
  /** Where images are kept (created when needed). */
  dir: string;
  /** The HTTP server for the chargers: listen address and port (0: any free port). */
  host: string;
  port: number;
  /** Base URL the chargers reach the server at; default http://<host>:<port>, or the first LAN IPv4 when host is a wildcard. */
  advertiseUrl?: string;
  log: Logger;
}

interface Entry {
  key: string;
  location: string;
  name: string;
  path: string;
  ready: Promise<FirmwareImage>;
  image?: FirmwareImage;
  failed?: string;
}

/**
 * The hub's firmware depot: fetches an image ONCE from the URL the CSMS gave (over the site's
 * upstream connection) and serves it to the chargers from its own HTTP server on the local
 * network. A charger that asks while the fetch is still running waits for it, so the hub can
 * hand out the local URL at once. Images are kept by location until unpublished; `servedBytes`
 * counts what went to the chargers, `fetchedBytes` what came over the upstream connection.
 */
export class HttpFirmwareDepot implements FirmwareDepot {
  private readonly byLocation = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();
  private server: Server | undefined;
  private listening: Promise<string> | undefined;
  private nextKey = 1;
  fetchedBytes = 0;
  servedBytes = 0;

  constructor(private readonly deps: FirmwareDepotDeps) {}

  async localUrl(location: string): Promise<string> {
    const base = await this.listen();
    const own = this.ownEntry(location, base);
    if (own) return location;
    const entry = this.byLocation.get(location) ?? this.fetch(location);
    return `${base}/firmware/${entry.key}/${encodeURIComponent(entry.name)}`;
  }

  image(location: string): Promise<FirmwareImage> {
    const entry = this.byLocation.get(location) ?? (this.baseUrl ? this.ownEntry(location, this.baseUrl) : undefined) ?? this.fetch(location);
    return entry.ready;
  }

  unpublish(checksum: string): boolean {
    let removed = false;
    for (const entry of [...this.byLocation.values()]) {
      if (entry.image?.md5 !== checksum.toLowerCase()) continue;
      this.byLocation.delete(entry.location);
      this.byKey.delete(entry.key);
      rmSync(entry.path, { force: true });
      removed = true;
    }
    return removed;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private baseUrl: string | undefined;

  private ownEntry(location: string, base: string): Entry | undefined {
    if (!location.startsWith(`${base}/firmware/`)) return undefined;
    const key = location.slice(base.length + '/firmware/'.length).split('/')[0] ?? '';
    return this.byKey.get(key);
  }

  private fetch(location: string): Entry {
    const key = String(this.nextKey++);
    const name = (new URL(location).pathname.split('/').pop() ?? '') || 'firmware.bin';
    mkdirSync(this.deps.dir, { recursive: true });
    const path = join(this.deps.dir, `${key}-${name.replace(/[^\w.-]/g, '_')}`);
    const entry: Entry = { key, location, name, path, ready: Promise.resolve({ md5: '', bytes: 0 }) };
    entry.ready = this.download(location, path).then(
      (image) => {
        entry.image = image;
        this.deps.log.info({ location, bytes: image.bytes, md5: image.md5 }, 'firmware image fetched for the site');
        return image;
      },
      (err: unknown) => {
        entry.failed = err instanceof Error ? err.message : String(err);
        this.byLocation.delete(location);
        this.byKey.delete(key);
        this.deps.log.warn({ location, err: entry.failed }, 'firmware image could not be fetched');
        throw err;
      },
    );
    entry.ready.catch(() => undefined);
    this.byLocation.set(location, entry);
    this.byKey.set(key, entry);
    return entry;
  }

  private async download(location: string, path: string): Promise<FirmwareImage> {
    const res = await fetch(location);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} from ${location}`);
    const md5 = createHash('md5');
    let bytes = 0;
    const count = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        md5.update(chunk);
        bytes += chunk.length;
        this.fetchedBytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]), count, createWriteStream(path));
    return { md5: md5.digest('hex'), bytes };
  }

  private listen(): Promise<string> {
    this.listening ??= new Promise<string>((resolve, reject) => {
      const server = createServer((req, res) => void this.serve(req, res));
      server.once('error', reject);
      server.listen(this.deps.port, this.deps.host, () => {
        const port = (server.address() as AddressInfo).port;
        this.server = server;
        this.baseUrl = (this.deps.advertiseUrl ?? `http://${advertisedHost(this.deps.host)}:${port}`).replace(/\/+$/, '');
        this.deps.log.info({ url: this.baseUrl }, 'firmware server for the chargers listening');
        resolve(this.baseUrl);
      });
    });
    return this.listening;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/firmware\/([^/]+)\//.exec(req.url ?? '');
    const entry = match?.[1] !== undefined ? this.byKey.get(match[1]) : undefined;
    if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    try {
      await entry.ready;
    } catch {
      res.writeHead(502).end();
      return;
    }
    const size = statSync(entry.path).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    this.servedBytes += size;
    createReadStream(entry.path).pipe(res);
  }
}

/** The listen address when it is a specific one, else the first LAN IPv4. */
function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return host.includes(':') ? `[${host}]` : host;
  return lanAddress();
}

function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}
