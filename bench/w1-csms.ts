/**
 * A minimal CSMS for W1 that counts what crosses the wire: a `ws` server on loopback that
 * answers every CALL at once with a valid payload for the connection's OCPP version (1.6 or
 * 2.0.1; no schema checks), can send CALLs to a connected identity (remembering, as a CSMS
 * does, the transaction started on each EVSE of a site), and counts per connection
 * the TCP bytes both ways (socket counters: WebSocket headers, masking, compressed payloads and
 * the HTTP upgrade included) and the frames both ways (data, ping, pong, close).
 */
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type PerMessageDeflateOptions, type WebSocket } from 'ws';

export interface WireTotals {
  bytes: number;
  frames: number;
  dataFrames: number;
  controlFrames: number;
  /** Data frames per action (each CALL and its answer). */
  framesByAction: Record<string, number>;
  connections: number;
  /** Connections on which permessage-deflate was negotiated. */
  deflateConnections: number;
}

interface Conn {
  identity: string;
  version: string;
  ws: WebSocket;
  socket: Socket;
  pending: Map<string, { action: string; resolve: (payload: unknown) => void; reject: (err: Error) => void }>;
}

export interface CsmsOptions {
  /** permessage-deflate offered by the server side (false: declined). */
  perMessageDeflate: false | PerMessageDeflateOptions;
  /** Each CALLRESULT waits this long before it is sent (a CSMS farther away than loopback); default 0. */
  answerDelayMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class W1Csms {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, Conn>();
  private readonly closedBytes = { read: 0, written: 0 };
  /** WebSocket pings received (each answered by ws's automatic pong). */
  pingsReceived = 0;
  private frames = 0;
  private dataFrames = 0;
  private controlFrames = 0;
  private connections = 0;
  private deflateConnections = 0;
  private framesByAction: Record<string, number> = {};
  private nextTransactionId = 104_211;
  private readonly lastTransactionIds = new Map<string, number>();
  private readonly lastTransactionIdsByEvse = new Map<number, string>();
  private callWaiters: { identity: string; action: string; resolve: (atMs: number) => void }[] = [];
  /** Simulated time for the answers' currentTime and scheduleStart. */
  nowMs: () => number = () => Date.now();
  readonly open: Promise<void>;

  private readonly answerDelayMs: number;

  constructor(opts: CsmsOptions) {
    this.answerDelayMs = opts.answerDelayMs ?? 0;
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: opts.perMessageDeflate,
      handleProtocols: (protocols) => [...protocols][0] ?? false,
    });
    this.open = new Promise((resolve) => this.wss.once('listening', () => resolve()));
    this.wss.on('connection', (ws, req) => {
      const identity = decodeURIComponent((req.url ?? '/').split('/').pop() ?? '');
      const conn: Conn = { identity, version: ws.protocol.replace(/^ocpp/, ''), ws, socket: req.socket, pending: new Map() };
      this.connections++;
      if (ws.extensions.includes('permessage-deflate')) this.deflateConnections++;
      this.conns.set(identity, conn);
      ws.on('message', (data, isBinary) => {
        this.count(1, 'data');
        if (!isBinary) this.onText(conn, String(data));
      });
      ws.on('ping', () => {
        this.pingsReceived++;
        this.count(2, 'control'); // the ping and ws's automatic pong
      });
      ws.on('pong', () => this.count(1, 'control'));
      ws.on('close', () => {
        this.closedBytes.read += conn.socket.bytesRead;
        this.closedBytes.written += conn.socket.bytesWritten;
        this.count(2, 'control'); // the close frames of both sides
        if (this.conns.get(identity) === conn) this.conns.delete(identity);
        for (const p of conn.pending.values()) p.reject(new Error('closed'));
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  /** Totals so far over all connections, open and closed. */
  totals(): WireTotals {
    const ends = this.byteEnds();
    return {
      bytes: ends.read + ends.written,
      frames: this.frames,
      dataFrames: this.dataFrames,
      controlFrames: this.controlFrames,
      framesByAction: { ...this.framesByAction },
      connections: this.connections,
      deflateConnections: this.deflateConnections,
    };
  }

  /** TCP bytes read and written so far over all connections, open and closed. */
  byteEnds(): { read: number; written: number } {
    let { read, written } = this.closedBytes;
    for (const c of this.conns.values()) {
      read += c.socket.bytesRead;
      written += c.socket.bytesWritten;
    }
    return { read, written };
  }

  /** Bytes the CSMS has queued but not yet handed to the kernel (compression in progress included). */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.conns.values()) n += c.ws.bufferedAmount;
    return n;
  }

  /** The transactionId this CSMS gave the identity's latest StartTransaction (1.6). */
  lastTransactionIdOf(identity: string): number | undefined {
    return this.lastTransactionIds.get(identity);
  }

  /** The transactionId of the latest 2.x TransactionEvent Started on this EVSE of a site. */
  lastTransactionIdOfEvse(evseId: number): string | undefined {
    return this.lastTransactionIdsByEvse.get(evseId);
  }

  /** Resolves with performance.now() when the next CALL of this action from this identity arrives. */
  whenCall(identity: string, action: string): Promise<number> {
    return new Promise((resolve) => this.callWaiters.push({ identity, action, resolve }));
  }

  connected(identity: string): boolean {
    return this.conns.has(identity);
  }

  /** Sends a CALL to a connected identity and resolves with the CALLRESULT's payload. */
  call(identity: string, action: string, payload: unknown): Promise<unknown> {
    const conn = this.conns.get(identity);
    if (!conn) return Promise.reject(new Error(`${identity} is not connected`));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      conn.pending.set(id, { action, resolve, reject });
      this.send(conn, JSON.stringify([2, id, action, payload]), action);
    });
  }

  async close(): Promise<void> {
    for (const c of this.conns.values()) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private count(n: number, kind: 'data' | 'control'): void {
    this.frames += n;
    if (kind === 'data') this.dataFrames += n;
    else this.controlFrames += n;
  }

  /** A CALL and its answer: two data frames of this action. */
  private countExchange(action: string): void {
    this.framesByAction[action] = (this.framesByAction[action] ?? 0) + 2;
  }

  private send(conn: Conn, text: string, action: string): void {
    this.count(1, 'data');
    this.countExchange(action);
    conn.ws.send(text);
  }

  private onText(conn: Conn, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(msg)) return;
    const [type, id] = msg as [number, string];
    if (type === 2) {
      const action = String(msg[2]);
      this.arrived(conn.identity, action);
      this.countExchange(action);
      if (conn.version !== '1.6' && action === 'TransactionEvent') this.recordStarted(msg[3]);
      const payload = conn.version === '1.6' ? this.answer16(conn.identity, action, msg[3]) : this.answer2x(action, msg[3]);
      this.count(1, 'data');
      const frame = JSON.stringify([3, id, payload]);
      if (this.answerDelayMs > 0) setTimeout(() => conn.ws.send(frame), this.answerDelayMs);
      else conn.ws.send(frame);
      return;
    }
    const pending = conn.pending.get(id);
    if (!pending) return;
    conn.pending.delete(id);
    if (type === 3) pending.resolve(msg[2]);
    else pending.reject(new Error(`CALLERROR ${String(msg[2])} for ${pending.action}`));
  }

  private arrived(identity: string, action: string): void {
    if (this.callWaiters.length === 0) return;
    const atMs = performance.now();
    const due = this.callWaiters.filter((w) => w.identity === identity && w.action === action);
    if (due.length === 0) return;
    this.callWaiters = this.callWaiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve(atMs);
  }

  private recordStarted(payload: unknown): void {
    if (typeof payload !== 'object' || payload === null) return;
    const p = payload as { eventType?: unknown; evse?: { id?: unknown }; transactionInfo?: { transactionId?: unknown } };
    if (p.eventType !== 'Started' || typeof p.evse?.id !== 'number' || typeof p.transactionInfo?.transactionId !== 'string') return;
    this.lastTransactionIdsByEvse.set(p.evse.id, p.transactionInfo.transactionId);
  }

  private answer16(identity: string, action: string, payload: unknown): object {
    const now = iso(this.nowMs());
    switch (action) {
      case 'BootNotification':
        return { status: 'Accepted', currentTime: now, interval: 300 };
      case 'Heartbeat':
        return { currentTime: now };
      case 'Authorize':
        return { idTagInfo: { status: 'Accepted' } };
      case 'StartTransaction': {
        const transactionId = this.nextTransactionId++;
        this.lastTransactionIds.set(identity, transactionId);
        return { transactionId, idTagInfo: { status: 'Accepted' } };
      }
      case 'StopTransaction':
        return hasField(payload, 'idTag') ? { idTagInfo: { status: 'Accepted' } } : {};
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      default:
        return {};
    }
  }

  private answer2x(action: string, payload: unknown): object {
    const now = iso(this.nowMs());
    switch (action) {
      case 'BootNotification':
        return { currentTime: now, interval: 300, status: 'Accepted' };
      case 'Heartbeat':
        return { currentTime: now };
      case 'Authorize':
        return { idTokenInfo: { status: 'Accepted' } };
      case 'TransactionEvent':
        return hasField(payload, 'idToken') ? { idTokenInfo: { status: 'Accepted' } } : {};
      case 'DataTransfer':
        return { status: 'UnknownVendorId' };
      default:
        return {};
    }
  }
}

function hasField(v: unknown, name: string): boolean {
  return typeof v === 'object' && v !== null && name in v;
}
