import type { WebSocket } from 'ws';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { RpcPeer } from '../ocpp/rpc-peer.js';
import type { RpcPeerOptions, TrafficCounter, CallContext, CallHandler, SharedCallHandler } from '../ocpp/rpc-types.js';
import { SecurityError } from '../ocpp/errors.js';
import type { OcppVersion } from '../ocpp/versions.js';
import { Keepalive } from './keepalive.js';
import type { StationService } from './station-service.js';
import type { HandlerContext, StationHandler, StationHandlers } from './handlers/handler-context.js';
import { AnswerBeforeDurable, type StationUpstream } from './station-upstream.js';
import { V16_HANDLERS } from './handlers/v16-handlers.js';
import { V2X_HANDLERS } from './handlers/v2x-handlers.js';

export interface StationSessionDeps {
  stationId: string;
  version: OcppVersion;
  socket: WebSocket;
  clock: Clock;
  log: Logger;
  service: StationService;
  rpc: Omit<RpcPeerOptions, 'version'>;
  pingIntervalMs: number;
  traffic?: TrafficCounter;
  /** The upstream decision point (proxy/hub modes); standalone without. */
  upstream?: StationUpstream;
  /**
   * Group commit (store.batch): the writes of one event-loop turn share one transaction, and an
   * answer leaves only once what it acknowledges is committed. Without it every write commits alone.
   */
  commit?: { begin(): void; barrier(): Promise<void>; pendingBarrier(): Promise<void> | undefined };
}

/** A session's handler for one action: the version's handler run through the session's guards. */
type SessionHandler = SharedCallHandler<StationSession>;

/**
 * Every action of a version's table, wrapped once for all sessions: admission, the upstream
 * decision (relay, queue or answer locally) and the commit barrier run per call with the session
 * that received it, so a connected station costs no handler closures of its own.
 */
function sessionTable(table: StationHandlers): ReadonlyMap<string, SessionHandler> {
  const out = new Map<string, SessionHandler>();
  for (const [action, handler] of table) out.set(action, (call, session) => session.runLocal(action, handler, call));
  return out;
}

const SESSION_HANDLERS_16 = sessionTable(V16_HANDLERS);
const SESSION_HANDLERS_2X = sessionTable(V2X_HANDLERS);

/** One connected station: its RPC peer, its handlers and its keep-alive. */
export class StationSession {
  readonly peer: RpcPeer;
  readonly connectedMs: number;
  private readonly keepalive: Keepalive;
  /** What the version's shared handlers get with each call. */
  private readonly station: HandlerContext;
  private closedListeners: Array<() => void> = [];
  private closed = false;

  constructor(private readonly deps: StationSessionDeps) {
    this.connectedMs = deps.clock.nowMs();
    const log = deps.log.child({ stationId: deps.stationId });
    this.peer = new RpcPeer({
      socket: deps.socket,
      options: { ...deps.rpc, version: deps.version },
      clock: deps.clock,
      log,
      identity: deps.stationId,
      ...(deps.traffic ? { traffic: deps.traffic } : {}),
    });
    this.station = { stationId: deps.stationId, version: deps.version, service: deps.service, clock: deps.clock };
    this.peer.handleShared(deps.version === '1.6' ? SESSION_HANDLERS_16 : SESSION_HANDLERS_2X, this);
    const other = deps.upstream?.relayOther(deps.stationId, deps.version);
    if (other) this.peer.handleAny((call) => this.runGuarded('*', other, call));

    this.keepalive = new Keepalive({
      socket: deps.socket,
      clock: deps.clock,
      intervalMs: deps.pingIntervalMs,
      onDead: () => {
        log.warn('no pong: dropping dead connection');
        deps.socket.terminate();
      },
    });
    this.keepalive.start();
    deps.socket.on('close', () => this.onClosed());
    deps.service.connected(deps.stationId, deps.version);
  }

  get stationId(): string {
    return this.deps.stationId;
  }

  get version(): OcppVersion {
    return this.deps.version;
  }

  /** The underlying socket (for observing protocol-level events such as pongs). */
  get socket(): WebSocket {
    return this.deps.socket;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  onClose(listener: () => void): void {
    this.closedListeners.push(listener);
  }

  /** Closes the socket (1000 normal, 1001 going away, 4000 replaced by a new connection). */
  close(code: number, reason: string): void {
    this.keepalive.stop();
    if (this.deps.socket.readyState === this.deps.socket.OPEN || this.deps.socket.readyState === this.deps.socket.CONNECTING) {
      this.deps.socket.close(code, reason);
    }
  }

  /** Forcibly drops the connection without a close handshake. */
  terminate(): void {
    this.keepalive.stop();
    this.deps.socket.terminate();
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepalive.stop();
    // Runs in the socket's close event: a listener that fails (e.g. a store write) must not end the process.
    for (const l of this.closedListeners) {
      try {
        l();
      } catch (err) {
        this.deps.log.error({ err, stationId: this.deps.stationId }, 'close listener failed');
      }
    }
  }

  /**
   * Runs the version's handler for one call of this station (the shared tables call it): through
   * the upstream decision when there is an upstream, then the guards.
   */
  runLocal(action: string, handler: StationHandler, call: CallContext): Promise<unknown> | unknown {
    const { stationId, version, upstream } = this.deps;
    const local: CallHandler = (c) => handler(c, this.station);
    const wrapped = upstream ? upstream.wrap(stationId, version, action, local) : local;
    return action === 'BootNotification' ? this.bootAnswered(wrapped, call) : this.runGuarded(action, wrapped, call);
  }

  /** Stations not accepted at boot may only send BootNotification (SecurityError otherwise); the answer waits for the commit. */
  private runGuarded(action: string, handler: CallHandler, call: CallContext): Promise<unknown> | unknown {
    const { service, stationId } = this.deps;
    return this.durable(handler, call, () => {
      if (!service.isAdmitted(stationId) && !service.mayReportWhilePending(stationId, action)) throw new SecurityError(`station ${stationId} is not accepted: only BootNotification is allowed`);
      service.seen(stationId);
    });
  }

  /** Runs a handler (after `before`, if given) so that its answer waits for the commit of what it wrote. */
  private durable(handler: CallHandler, call: CallContext, before?: () => void): Promise<unknown> | unknown {
    const commit = this.deps.commit;
    if (!commit) {
      before?.();
      const result = handler(call);
      return result instanceof Promise ? result.then(answerOf) : answerOf(result);
    }
    commit.begin();
    before?.();
    // Taken now, not only after the handler: a handler that waits (e.g. for the CSMS's answer)
    // may resume after this batch's commit failed, and a barrier taken then would not know.
    const batch = commit.barrier();
    const result = handler(call);
    if (!(result instanceof Promise)) return this.whenDurable(result, batch);
    batch.catch(ignore); // waited for once the handler has its result
    return result.then((value: unknown) => this.whenDurable(value, batch));
  }

  /**
   * The handler's answer once what it wrote is committed: the batch it began in, then whatever
   * it wrote after that batch (a handler that waited writes into a later one). An
   * AnswerBeforeDurable goes at once (delivered upstream: station-upstream.ts).
   */
  private whenDurable(result: unknown, batch: Promise<void>): Promise<unknown> | unknown {
    if (result instanceof AnswerBeforeDurable) return result.result;
    return batch.then(() => {
      const later = this.deps.commit?.pendingBarrier();
      return later === undefined ? result : later.then(() => result);
    });
  }

  /** Tells the service once a boot's answer is on the wire (the peer sends it as soon as the handler resolves). */
  private async bootAnswered(handler: CallHandler, call: CallContext): Promise<unknown> {
    const { service, stationId } = this.deps;
    const result = await this.durable(handler, call);
    const status = typeof result === 'object' && result !== null ? (result as { status?: unknown }).status : undefined;
    setImmediate(() => {
      if (this.isOpen) service.bootAnswerSent(stationId, typeof status === 'string' ? status : undefined);
    });
    return result;
  }
}

function ignore(): void {}

/** The answer a handler's result stands for (AnswerBeforeDurable unwrapped). */
function answerOf(result: unknown): unknown {
  return result instanceof AnswerBeforeDurable ? result.result : result;
}
