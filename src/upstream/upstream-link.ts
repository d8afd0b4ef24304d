import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { RpcPeer } from '../ocpp/rpc-peer.js';
import { wsMaxPayloadBytes } from '../ocpp/rpc-defaults.js';
import type { CallHandler, CallOptions } from '../ocpp/rpc-types.js';
import { subprotocolOf, type OcppVersion } from '../ocpp/versions.js';
import { Keepalive } from '../evse/keepalive.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { UpstreamTraffic } from './upstream-traffic.js';
import type { UpstreamConfig } from '../config/upstream-schema.js';
import { WireCounter } from './wire-counter.js';

/**
 * idle: not started; connecting: WebSocket handshake under way; connected: calls go out;
 * backoff: waiting to reconnect; closed: stopped for good.
 */
export type LinkState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'closed';

export interface UpstreamTlsMaterial {
  /** Client certificate and key (security profile 3). */
  cert?: Buffer;
  key?: Buffer;
  /** CA that signs the CSMS's server certificate (default: the system's CAs). */
  ca?: Buffer;
}

export interface UpstreamLinkDeps {
  /** The link's name in logs, the API and the outbox: the station id (proxy) or the site identity (hub). */
  name: string;
  /** CSMS endpoint without the identity; the link connects to <url>/<identity>. */
  url: string;
  /** The identity the CSMS knows: last URL segment and Basic-auth user. */
  identity: string;
  version: OcppVersion;
  clock: Clock;
  log: Logger;
  traffic: UpstreamTraffic;
  /** Basic-auth password (security profiles 1 and 2); no Authorization header without one. */
  password?: string;
  /** For wss:// URLs. */
  tls?: UpstreamTlsMaterial;
  compression: { enabled: boolean; thresholdBytes: number };
  pingIntervalMs: number;
  callTimeoutMs: number;
  backoff: BackoffPolicy;
  /** [0, 1); defaults to Math.random (tests pass a fixed one). */
  random?: () => number;
  maxFrameBytes?: number;
}

/** The link settings an upstream config gives every link it opens (proxy: one per station; hub: one), in ms. */
export function linkSettingsOf(config: UpstreamConfig): Pick<UpstreamLinkDeps, 'compression' | 'pingIntervalMs' | 'callTimeoutMs' | 'backoff'> {
  return {
    compression: { enabled: config.compression, thresholdBytes: config.compressionThresholdBytes },
    pingIntervalMs: config.pingIntervalS * 1000,
    callTimeoutMs: config.callTimeoutS * 1000,
    backoff: {
      initialDelayMs: config.reconnect.initialDelayS * 1000,
      maxDelayMs: config.reconnect.maxDelayS * 1000,
      factor: config.reconnect.factor,
      jitter: config.reconnect.jitter,
    },
  };
}

/** A call made while the link is not connected: it fails at once instead of waiting. */
export class UpstreamUnavailableError extends Error {
  constructor(readonly link: string, readonly action: string, readonly state: LinkState) {
    super(`${action}: upstream link ${link} is ${state}`);
    this.name = 'UpstreamUnavailableError';
  }
}

export interface LinkStatus {
  name: string;
  identity: string;
  version: OcppVersion;
  state: LinkState;
  /** When the current state began, ms since epoch. */
  sinceMs: number;
  /** Failed attempts since the last successful connection. */
  failures: number;
  lastError?: string;
  compression: boolean;
}

/**
 * One client WebSocket to the CSMS, as one OCPP identity, wrapped in an RpcPeer. Reconnects
 * with jittered exponential backoff (timers on the injected clock) until stopped. `call()`
 * fails fast with UpstreamUnavailableError while not connected; handlers for calls from the
 * CSMS are registered once and survive reconnects.
 */
export class UpstreamLink {
  private current: LinkState = 'idle';
  private sinceMs: number;
  private failures = 0;
  private lastError: string | undefined;
  private socket: WebSocket | undefined;
  private counter: WireCounter | undefined;
  private peer: RpcPeer | undefined;
  private keepalive: Keepalive | undefined;
  private retryTimer: TimerHandle | undefined;
  private readonly handlers = new Map<string, CallHandler>();
  private anyHandler: CallHandler | undefined;
  private readonly events = new EventEmitter();
  private readonly log: Logger;

  constructor(private readonly deps: UpstreamLinkDeps) {
    this.sinceMs = deps.clock.nowMs();
    this.log = deps.log.child({ link: deps.name, upstreamIdentity: deps.identity, ocpp: deps.version });
  }

  get name(): string {
    return this.deps.name;
  }

  get version(): OcppVersion {
    return this.deps.version;
  }

  get state(): LinkState {
    return this.current;
  }

  get callTimeoutMs(): number {
    return this.deps.callTimeoutMs;
  }

  /** Resolves with the state once the link is not (about to be) connecting, or after timeoutMs on the clock. */
  whenSettled(timeoutMs: number): Promise<LinkState> {
    if (this.current !== 'idle' && this.current !== 'connecting') return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const done = (): void => {
        off();
        this.deps.clock.clearTimeout(timer);
        resolve(this.current);
      };
      const off = this.onState((state) => {
        if (state !== 'connecting') done();
      });
      const timer = this.deps.clock.setTimeout(done, timeoutMs);
    });
  }

  status(): LinkStatus {
    return {
      name: this.deps.name,
      identity: this.deps.identity,
      version: this.deps.version,
      state: this.current,
      sinceMs: this.sinceMs,
      failures: this.failures,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      compression: this.deps.compression.enabled,
    };
  }

  /** Brings the traffic counters of the open connection up to date. */
  flushTraffic(): void {
    this.counter?.flush();
  }

  /** Listens to state changes; returns the unsubscribe function. */
  onState(listener: (state: LinkState, previous: LinkState) => void): () => void {
    this.events.on('state', listener);
    return () => this.events.off('state', listener);
  }

  /** Handler of one action called by the CSMS. */
  handle(action: string, handler: CallHandler): void {
    this.handlers.set(action, handler);
    this.peer?.handle(action, handler);
  }

  /** Handler of every CSMS call without its own handler (proxy mode relays them). */
  handleAny(handler: CallHandler): void {
    this.anyHandler = handler;
    this.peer?.handleAny(handler);
  }

  /** Starts connecting (idempotent). */
  start(): void {
    if (this.current !== 'idle') return;
    this.connect();
  }

  /**
   * Sends a CALL to the CSMS. Rejects at once with UpstreamUnavailableError when not
   * connected; otherwise as RpcPeer.call (the CSMS's RpcError, RpcTimeoutError, RpcClosedError).
   */
  call(action: string, payload: unknown, opts: CallOptions = {}): Promise<unknown> {
    const peer = this.peer;
    if (this.current !== 'connected' || !peer || peer.isClosed) {
      return Promise.reject(new UpstreamUnavailableError(this.deps.name, action, this.current));
    }
    return peer.call(action, payload, opts);
  }

  /** Closes the link for good; pending calls reject with RpcClosedError. */
  async stop(): Promise<void> {
    if (this.current === 'closed') return;
    this.deps.clock.clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.setState('closed');
    this.keepalive?.stop();
    this.peer?.close(1000, 'hub stopping');
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2000);
        t.unref();
        socket.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(1000, 'hub stopping');
      });
    }
  }

  private connect(): void {
    const { deps } = this;
    this.setState('connecting');
    const url = `${deps.url.replace(/\/+$/, '')}/${encodeURIComponent(deps.identity)}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, [subprotocolOf(deps.version)], this.clientOptions());
    } catch (err) {
      // Runs from a timer: a link that cannot even be opened backs off and tries again.
      this.lastError = err instanceof Error ? err.message : String(err);
      this.log.error({ err: this.lastError }, 'upstream link could not be opened');
      this.scheduleReconnect(0);
      return;
    }
    this.socket = socket;
    let counter: WireCounter | undefined;
    socket.on('upgrade', (res: IncomingMessage) => {
      counter = new WireCounter({ link: deps.name, traffic: deps.traffic, socket: res.socket });
      this.counter = counter;
    });
    socket.on('open', () => this.onOpen(socket, counter));
    socket.on('error', (err) => {
      this.lastError = err.message;
      this.log.warn({ err: err.message }, 'upstream link error');
    });
    socket.on('close', (code, reason) => {
      counter?.flush();
      if (this.counter === counter) this.counter = undefined;
      this.onClose(socket, code, reason.toString());
    });
  }

  private clientOptions(): ClientOptions {
    const { deps } = this;
    const auth = deps.password !== undefined ? { Authorization: `Basic ${Buffer.from(`${deps.identity}:${deps.password}`).toString('base64')}` } : undefined;
    return {
      handshakeTimeout: deps.callTimeoutMs,
      maxPayload: wsMaxPayloadBytes(deps.maxFrameBytes ?? 65_536),
      perMessageDeflate: deps.compression.enabled
        ? { threshold: deps.compression.thresholdBytes, clientNoContextTakeover: false, serverNoContextTakeover: false }
        : false,
      ...(auth ? { headers: auth } : {}),
      ...(deps.tls?.cert ? { cert: deps.tls.cert } : {}),
      ...(deps.tls?.key ? { key: deps.tls.key } : {}),
      ...(deps.tls?.ca ? { ca: deps.tls.ca } : {}),
    };
  }

  private onOpen(socket: WebSocket, counter: WireCounter | undefined): void {
    if (this.current === 'closed' || socket !== this.socket) {
      socket.terminate();
      return;
    }
    if (socket.protocol !== subprotocolOf(this.deps.version)) {
      this.lastError = `CSMS chose subprotocol '${socket.protocol}'`;
      this.log.error({ protocol: socket.protocol }, 'CSMS did not accept the OCPP version: closing');
      socket.close(1002, 'subprotocol required');
      return;
    }
    counter?.opened();
    const peer = new RpcPeer({
      socket,
      options: { version: this.deps.version, callTimeoutMs: this.deps.callTimeoutMs, maxFrameBytes: this.deps.maxFrameBytes ?? 65_536, strict: true },
      clock: this.deps.clock,
      log: this.log,
      identity: this.deps.identity,
      ...(counter ? { traffic: counter } : {}),
    });
    for (const [action, handler] of this.handlers) peer.handle(action, handler);
    if (this.anyHandler) peer.handleAny(this.anyHandler);
    this.peer = peer;
    this.keepalive = new Keepalive({
      socket,
      clock: this.deps.clock,
      intervalMs: this.deps.pingIntervalMs,
      onDead: () => {
        this.log.warn('upstream link: no pong, dropping the connection');
        socket.terminate();
      },
    });
    this.keepalive.start();
    this.failures = 0;
    this.lastError = undefined;
    this.setState('connected');
  }

  private onClose(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.keepalive?.stop();
    this.keepalive = undefined;
    this.peer = undefined;
    this.socket = undefined;
    if (this.current === 'closed') return;
    if (this.current === 'connected') this.log.warn({ code, reason }, 'upstream link lost');
    this.scheduleReconnect(code);
  }

  private scheduleReconnect(code: number): void {
    this.failures++;
    const delayMs = backoffDelayMs(this.deps.backoff, this.failures - 1, (this.deps.random ?? Math.random)());
    this.setState('backoff', { delayMs, code, ...(this.lastError ? { lastError: this.lastError } : {}) });
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === 'backoff') this.connect();
    }, delayMs);
  }

  private setState(state: LinkState, details: Record<string, unknown> = {}): void {
    const previous = this.current;
    if (previous === state) return;
    this.current = state;
    this.sinceMs = this.deps.clock.nowMs();
    const level = state === 'backoff' ? 'warn' : 'info';
    this.log[level]({ state, previous, ...details }, `upstream link ${state}`);
    try {
      this.events.emit('state', state, previous);
    } catch (err) {
      this.log.error({ err }, 'link state listener failed');
    }
  }
}
