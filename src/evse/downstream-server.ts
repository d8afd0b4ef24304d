import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../util/logger.js';
import type { OcppSubprotocol } from '../ocpp/versions.js';
import type { StationConfig } from '../config/schema.js';
import { UpgradeAuth, type UpgradeVerdict } from './upgrade-auth.js';
import { DEFAULT_TLS_CIPHERS, type TlsMinVersion } from './tls-options.js';
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
  stations: readonly StationConfig[];
  admitUnknownStations: boolean;
  maxFrameBytes: number;
  tls?: TlsMaterial;
  log: Logger;
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

  constructor(private readonly deps: DownstreamServerDeps) {
    this.auth = new UpgradeAuth({
      pathPrefix: deps.pathPrefix,
      stations: new Map(deps.stations.map((s) => [s.id, s])),
      admitUnknownStations: deps.admitUnknownStations,
    });
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
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** No error while deciding or setting up a connection may end the process: it refuses that one connection. */
  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      this.upgrade(req, socket, head);
    } catch (err) {
      this.deps.log.error({ err, remote: req.socket.remoteAddress }, 'upgrade failed');
      const body = 'internal error\n';
      if (!socket.destroyed) socket.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const verdict = this.auth.check(req);
    if (!verdict.ok) {
      this.deps.log.warn({ stationId: verdict.stationId, status: verdict.httpStatus, reason: verdict.reason, remote: req.socket.remoteAddress }, 'connection refused');
      const text = verdict.httpStatus === 401 ? 'Unauthorized' : verdict.httpStatus === 404 ? 'Not Found' : 'Bad Request';
      const body = `${verdict.reason}\n`;
      const extra = verdict.httpStatus === 401 ? 'WWW-Authenticate: Basic realm="switchyard"\r\n' : '';
      socket.end(`HTTP/1.1 ${verdict.httpStatus} ${text}\r\n${extra}Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    (req as IncomingMessage & { ocppSubprotocol?: string }).ocppSubprotocol = verdict.subprotocol;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      try {
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
    this.wss.close();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections?.();
  }
}
