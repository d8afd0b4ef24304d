/**
 * An independent CSMS for upstream tests: ocpp-rpc's RPCServer in strict mode (every message
 * checked against the official schemas). It records every call in arrival order, hands out
 * increasing 1.6 transaction ids, and can be stopped and started again on the same port to
 * play an outage.
 */
import type { AddressInfo } from 'node:net';
import ocppRpc from 'ocpp-rpc';
import { strictModeValidators } from '../../../src/sim/rpc-validators.js';

export interface CsmsClient {
  identity: string;
  call(method: string, params?: unknown): Promise<unknown>;
  handle(fn: (ctx: { method?: string; params?: Record<string, unknown> }) => Promise<Record<string, unknown>>): void;
  close(opts?: { force?: boolean }): Promise<unknown>;
}

export interface Received {
  identity: string;
  method: string;
  params: Record<string, unknown>;
}

export interface StrictCsmsOptions {
  /** Negotiate permessage-deflate when the hub offers it. */
  deflate?: boolean;
  /** Basic-auth password per identity; identities not listed need none. */
  passwords?: Record<string, string>;
  /** Authorize answers by id token (default Accepted). */
  authorize?: Record<string, string>;
  /** Awaited before answering a call (e.g. to hold a BootNotification answer). */
  beforeAnswer?: (method: string, params: Record<string, unknown>) => Promise<void> | undefined;
  /** BootNotification status (default Accepted). */
  bootStatus?: 'Accepted' | 'Pending' | 'Rejected';
}

export class StrictCsms {
  readonly calls: Received[] = [];
  /** Calls the CSMS answered (a held call is not answered). */
  readonly answered: Received[] = [];
  /** When it returns true for a call, the CSMS never answers it (the answer is lost with the connection). */
  hold: ((method: string, params: Record<string, unknown>) => boolean) | undefined;
  readonly clients = new Map<string, CsmsClient>();
  readonly rejectedAuth: string[] = [];
  private server: InstanceType<typeof ocppRpc.RPCServer> | undefined;
  private nextTransactionId = 5000;
  private readonly waiters = new Set<() => void>();
  port = 0;

  constructor(private readonly opts: StrictCsmsOptions = {}) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/csms`;
  }

  async start(): Promise<void> {
    const server = new ocppRpc.RPCServer({
      protocols: ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'],
      strictMode: true,
      strictModeValidators: strictModeValidators(),
      wssOptions: this.opts.deflate ? { perMessageDeflate: { threshold: 0 } } : {},
    });
    server.auth((accept, reject, handshake) => {
      const want = this.opts.passwords?.[handshake.identity];
      if (want !== undefined && handshake.password?.toString('utf8') !== want) {
        this.rejectedAuth.push(handshake.identity);
        reject(401, 'bad password');
      } else accept();
    });
    server.on('client', (client: CsmsClient) => {
      this.clients.set(client.identity, client);
      client.handle((ctx) => {
        const method = ctx.method ?? '';
        const params = ctx.params ?? {};
        const call = { identity: client.identity, method, params };
        this.calls.push(call);
        const held = this.hold?.(method, params) === true;
        if (!held) this.answered.push(call);
        this.notify();
        if (held) return new Promise<Record<string, unknown>>(() => undefined);
        const before = this.opts.beforeAnswer?.(method, params);
        return before ? before.then(() => this.answer(method, params)) : Promise.resolve(this.answer(method, params));
      });
      this.notify();
    });
    const http = await server.listen(this.port, '127.0.0.1');
    this.port = (http.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the server and every connection (the outage). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.clients.clear();
    await server?.close({ force: true, awaitPending: false });
  }

  of(identity: string, method?: string): Received[] {
    return this.calls.filter((c) => c.identity === identity && (method === undefined || c.method === method));
  }

  /** Resolves once pred holds (checked on every call received and every connection). */
  until(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (pred()) return resolve();
      const w = (): void => {
        if (!pred()) return;
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
    });
  }

  async client(identity: string): Promise<CsmsClient> {
    await this.until(() => this.clients.has(identity));
    const c = this.clients.get(identity);
    if (!c) throw new Error(`no client ${identity}`);
    return c;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    const now = new Date().toISOString();
    const tokenStatus = (token: unknown): string => (typeof token === 'string' ? this.opts.authorize?.[token] : undefined) ?? 'Accepted';
    switch (method) {
      case 'BootNotification':
        return { currentTime: now, status: this.opts.bootStatus ?? 'Accepted', interval: 300 };
      case 'Heartbeat':
        return { currentTime: now };
      case 'Authorize':
        return params['idTag'] !== undefined
          ? { idTagInfo: { status: tokenStatus(params['idTag']) } }
          : { idTokenInfo: { status: tokenStatus((params['idToken'] as { idToken?: string } | undefined)?.idToken) } };
      case 'StartTransaction':
        return { transactionId: this.nextTransactionId++, idTagInfo: { status: tokenStatus(params['idTag']) } };
      case 'StopTransaction':
        return {};
      case 'TransactionEvent':
        return params['idToken'] !== undefined ? { idTokenInfo: { status: 'Accepted' } } : {};
      case 'DataTransfer':
        return { status: 'Accepted' };
      case 'SignCertificate':
        return { status: 'Accepted' };
      case 'GetCertificateStatus':
        return { status: 'Accepted', ocspResult: 'T0NTUA==' };
      case 'Get15118EVCertificate':
        return { status: 'Accepted', exiResponse: 'RVhJ' };
      default:
        return {};
    }
  }
}
