import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../util/logger.js';
import type { OcppSubprotocol } from '../ocpp/versions.js';
import type { StationConfig } from '../config/schema.js';
import { UpgradeAuth, type UpgradeAuthDeps, type UpgradeVerdict } from './upgrade-auth.js';
import { DEFAULT_TLS_CIPHERS, type TlsMinVersion } from './tls-options.js';
import { LoginThrottle } from './login-throttle.js';
import { ConnectionLimiter, type ConnectionLimits } from './connection-limiter.js';
import { systemClock, type Clock } from '../util/clock.js';
import { wsMaxPayloadBytes } from '../ocpp/rpc-defaults.js';

export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  /** CA for client certificates (security profile 3). */
  ca?: string | Buffer;
  /** Oldest TLS version accepted (default TLSv1.2). */
  minVersion?: TlsMinVersion;
  /** OpenSSL cipher list (default: forward-secret suites only). */
  ciphers?: string;
}

export interface AcceptedConnection {
  socket: WebSocket;
  stationId: string;
  subprotocol: OcppSubprotocol;
  station?: StationConfig;
  remoteAddress?: string;
}

export interface DownstreamServerDeps {
  host: string;
  port: number;
  pathPrefix: string;
  /** The configured stations; a Map is read at each login, so stations added to it later may log in. */
  stations: readonly StationConfig[] | ReadonlyMap<string, StationConfig>;
  admitUnknownStations: boolean;
  /** Commissioning of unconfigured station ids (see UpgradeAuthDeps). */
  commissioning?: UpgradeAuthDeps['commissioning'];
  /** Told every refused connection (for the operator's list of who is knocking). */
  onRefused?: (refusal: { stationId?: string; remoteAddress: string; httpStatus: number; reason: string }) => void;
  maxFrameBytes: number;
  tls?: TlsMaterial;
  log: Logger;
  /** Drives the handshake timeout and the login throttle; the system clock when absent. */
  clock?: Clock;
  /** Caps on TCP connections and the handshake timeout (defaults in connection-limiter.ts). */
  limits?: Partial<ConnectionLimits>;
  /** Failed-login throttle: free failures and the longest wait, s. */
  login?: { freeFailures?: number; maxDelayS?: number };
  onConnection: (conn: AcceptedConnection) => void;
}

/**
 * The WebSocket endpoint chargers connect to: ws[s]://host:port/<prefix>/<stationId>.
 * Every refusal (unknown station, wrong credentials, bad certificate, no common subprotocol)
 * is answered with an HTTP status before the upgrade.
 */
export class DownstreamServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly auth: UpgradeAuth;
  private readonly limiter: ConnectionLimiter;

  constructor(private readonly deps: DownstreamServerDeps) {
    const clock = deps.clock ?? systemClock();
    this.auth = new UpgradeAuth({
      pathPrefix: deps.pathPrefix,
      stations: Array.isArray(deps.stations) ? new Map(deps.stations.map((s) => [s.id, s])) : (deps.stations as ReadonlyMap<string, StationConfig>),
      admitUnknownStations: deps.admitUnknownStations,
      ...(deps.commissioning ? { commissioning: deps.commissioning } : {}),
      throttle: new LoginThrottle({
        clock,
        options: {
          ...(deps.login?.freeFailures !== undefined ? { freeFailures: deps.login.freeFailures } : {}),
          ...(deps.login?.maxDelayS !== undefined ? { maxDelayMs: deps.login.maxDelayS * 1000 } : {}),
        },
      }),
    });
    this.limiter = new ConnectionLimiter({ clock, log: deps.log, limits: deps.limits ?? {} });
    this.http = deps.tls
      ? createHttpsServer({
          cert: deps.tls.cert,
          key: deps.tls.key,
          ...(deps.tls.ca ? { ca: deps.tls.ca } : {}),
          requestCert: deps.tls.ca !== undefined,
          rejectUnauthorized: false,
          minVersion: deps.tls.minVersion ?? 'TLSv1.2',
          ciphers: deps.tls.ciphers ?? DEFAULT_TLS_CIPHERS,
          honorCipherOrder: true,
        })
      : createHttpServer();
    this.http.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('This endpoint speaks OCPP over WebSocket.\n');
    });
    this.wss = new WebSocketServer({
      noServer: true,
      // A frame over the OCPP limit is answered with a CALLERROR by the RPC layer; only far
      // larger ones are cut off by ws itself.
      maxPayload: wsMaxPayloadBytes(deps.maxFrameBytes),
      handleProtocols: (protocols, req) => (req as IncomingMessage & { ocppSubprotocol?: string }).ocppSubprotocol ?? false,
    });
    // Counted on the raw TCP connection, before any TLS handshake or HTTP request.
    this.http.on('connection', (socket: Socket) => this.limiter.admit(socket));
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** No error while deciding or setting up a connection may end the process: it refuses that one connection. */
  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.deps.log.error({ err, remote: req.socket.remoteAddress }, 'upgrade failed');
      const body = 'internal error\n';
      if (!socket.destroyed) socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const verdict = await this.auth.check(req);
    if (socket.destroyed) return;
    if (!verdict.ok) {
      this.deps.log.warn({ stationId: verdict.stationId, status: verdict.httpStatus, reason: verdict.reason, remote: req.socket.remoteAddress }, 'connection refused');
      this.deps.onRefused?.({ ...(verdict.stationId !== undefined ? { stationId: verdict.stationId } : {}), remoteAddress: req.socket.remoteAddress ?? 'unknown', httpStatus: verdict.httpStatus, reason: verdict.reason });
      const body = `${verdict.publicReason}\n`;
      const extra =
        (verdict.httpStatus === 401 ? 'WWW-Authenticate: Basic realm="switchyard"\r\n' : '') +
        (verdict.retryAfterS !== undefined ? `Retry-After: ${verdict.retryAfterS}\r\n` : '');
      socket.end(`HTTP/1.1 ${verdict.httpStatus} ${STATUS_TEXT[verdict.httpStatus]}\r\n${extra}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    (req as IncomingMessage & { ocppSubprotocol?: string }).ocppSubprotocol = verdict.subprotocol;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        this.limiter.upgraded(req.socket);
        this.accept(ws, req, verdict);
      } catch (err) {
        this.deps.log.error({ err, stationId: verdict.stationId }, 'could not set up the connection');
        ws.close(1011, 'internal error');
      }
    });
  }

  private accept(ws: WebSocket, req: IncomingMessage, verdict: UpgradeVerdict & { ok: true }): void {
    this.deps.onConnection({
      socket: ws,
      stationId: verdict.stationId,
      subprotocol: verdict.subprotocol,
      ...(verdict.station ? { station: verdict.station } : {}),
      ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
    });
  }

  /** Open TCP connections on the OCPP port: all of them, and those not yet upgraded. */
  get connections(): { total: number; pending: number } {
    return this.limiter.counts;
  }

  /** `url` is for clients on this machine (loopback for a wildcard host); `bound` is the address really bound. */
  async listen(): Promise<{ port: number; url: string; bound: string }> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.deps.port, this.deps.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address() as AddressInfo;
    const port = address.port;
    const bound = address.family === 'IPv6' ? `[${address.address}]:${port}` : `${address.address}:${port}`;
    const scheme = this.deps.tls ? 'wss' : 'ws';
    const host = this.deps.host === '0.0.0.0' ? '127.0.0.1' : this.deps.host;
    return { port, url: `${scheme}://${host}:${port}${this.deps.pathPrefix}`, bound };
  }

  /** Stops accepting; open sockets are closed by their sessions. */
  async close(): Promise<void> {
    this.limiter.stop();
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}

const STATUS_TEXT: Record<400 | 401 | 404 | 429 | 503, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};
