/**
 * A minimal CSMS for simulator tests: ocpp-rpc's RPCServer in strict mode on port 0. It records
 * every call it receives and answers with fixed, valid responses; waitFor() resolves when a
 * matching call has arrived (no sleeps).
 */
import type { AddressInfo } from 'node:net';
import ocppRpc from 'ocpp-rpc';
import { strictModeValidators } from '../../../src/sim/rpc-validators.js';

/** The parts of ocpp-rpc's server-side client the tests use. */
export interface ServerClient {
  identity: string;
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (ctx: { method?: string; params?: Record<string, unknown> }) => Promise<Record<string, unknown>>): void;
}

export interface ReceivedCall {
  identity: string;
  method: string;
  params: Record<string, unknown>;
}

export interface TestCsmsOptions {
  /** BootNotification answer (default Accepted, interval 300). */
  bootStatus?: () => { status: 'Accepted' | 'Pending' | 'Rejected'; interval: number };
  /** 1.6 transaction id handed out by StartTransaction. */
  transactionId16?: number;
  /** Basic-auth password every station must present. */
  password?: string;
}

export class TestCsms {
  readonly calls: ReceivedCall[] = [];
  readonly clients = new Map<string, ServerClient>();
  private readonly waiters = new Set<() => void>();
  private server = new ocppRpc.RPCServer({
    protocols: ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'],
    strictMode: true,
    strictModeValidators: strictModeValidators(),
  });
  endpoint = '';

  constructor(private readonly opts: TestCsmsOptions = {}) {}

  async start(): Promise<void> {
    const password = this.opts.password;
    this.server.auth((accept, reject, handshake) => {
      if (password !== undefined && handshake.password?.toString('utf8') !== password) reject(401, 'bad password');
      else accept();
    });
    this.server.on('client', (client: ServerClient) => {
      this.clients.set(client.identity, client);
      this.notify();
      client.handle((ctx) => {
        const method = ctx.method ?? '';
        const params = ctx.params ?? {};
        this.calls.push({ identity: client.identity, method, params });
        this.notify();
        return Promise.resolve(this.answer(method, params));
      });
    });
    const http = await this.server.listen(0, '127.0.0.1');
    const port = (http.address() as AddressInfo).port;
    this.endpoint = `ws://127.0.0.1:${port}/ocpp`;
  }

  async stop(): Promise<void> {
    await this.server.close({ force: true });
  }

  /** Resolves with the first call at index >= from that matches. */
  waitFor(method: string, match: (c: ReceivedCall) => boolean = () => true, from = 0): Promise<ReceivedCall> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const hit = this.calls.slice(from).find((c) => c.method === method && match(c));
        if (hit) resolve(hit);
        return hit !== undefined;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** Resolves once the station is connected. */
  async client(identity: string): Promise<ServerClient> {
    for (;;) {
      const c = this.clients.get(identity);
      if (c) return c;
      await new Promise<void>((resolve) => {
        const waiter = (): void => {
          this.waiters.delete(waiter);
          resolve();
        };
        this.waiters.add(waiter);
      });
    }
  }

  callsOf(method: string): ReceivedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const now = new Date().toISOString();
    switch (method) {
      case 'BootNotification':
        return { currentTime: now, ...(this.opts.bootStatus?.() ?? { status: 'Accepted', interval: 300 }) };
      case 'Heartbeat':
        return { currentTime: now };
      case 'Authorize':
        return params['idTag'] !== undefined
          ? { idTagInfo: { status: 'Accepted' } }
          : { idTokenInfo: { status: 'Accepted' } };
      case 'StartTransaction':
        return { transactionId: this.opts.transactionId16 ?? 42, idTagInfo: { status: 'Accepted' } };
      case 'StopTransaction':
        return { idTagInfo: { status: 'Accepted' } };
      default:
        return {};
    }
  }
}
