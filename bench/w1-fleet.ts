/**
 * The 20 OCPP 1.6 chargers of W1 as real WebSocket clients, driven by the stream: directly to
 * the CSMS (scenario a) or to the real hub (proxy or hub mode). A charger uses the
 * transaction id it was answered with; a reboot closes its socket (closing handshake) and opens
 * a new one before the BootNotification.
 */
import type { Clock } from '../src/util/clock.js';
import type { SiteDriver } from './w1-drive.js';
import type { W1Csms } from './w1-csms.js';
import { chargerAnswer16, getCompositeSchedule16, setChargingProfile16 } from './w1-payloads.js';
import { WireClient } from './w1-wire-client.js';
import { stationIdOf, W1_EVSES, type W1Event } from './w1-workload.js';

export interface FleetOptions {
  /** Where the chargers connect: the CSMS (direct) or the hub's OCPP endpoint. */
  url: string;
  csms: W1Csms;
  clock: Clock;
  /** The chargers ping their link every this many seconds (0: they do not; the hub does). */
  chargerPingIntervalS: number;
  /** After each step, wait this long in real time (lets pongs to the hub's pings arrive). */
  settleMs: number;
  /** The CSMS's calls, when they are not the 1.6 calls to the charger's own link (hub mode). */
  csmsEvent?: (e: Extract<W1Event, { kind: 'csms' }>) => Promise<void>;
  /** After each step's events (hub mode: until the outbox has gone upstream). */
  afterStep?: () => Promise<void>;
}

export class ChargerFleet implements SiteDriver {
  private readonly clients: WireClient[] = [];
  private readonly starts = new Map<number, number>();
  private readonly txIds = new Map<string, number>();
  private lastPingMs = -Infinity;

  constructor(private readonly opts: FleetOptions) {
    for (let evse = 0; evse < W1_EVSES; evse++) {
      this.clients.push(
        new WireClient({
          url: opts.url,
          identity: stationIdOf(evse),
          protocol: 'ocpp1.6',
          perMessageDeflate: false,
          answer: (action) => chargerAnswer16(action, opts.clock.nowMs()),
        }),
      );
    }
  }

  /** Connects and boots every charger (status of connectors 0 and 1): the state the month starts in. */
  async bootAll(): Promise<void> {
    await Promise.all(this.clients.map((_, evse) => this.boot(evse)));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }

  async step(nowMs: number): Promise<void> {
    const { opts } = this;
    if (opts.chargerPingIntervalS > 0 && nowMs - this.lastPingMs >= opts.chargerPingIntervalS * 1000) {
      this.lastPingMs = nowMs;
      await Promise.all(this.clients.map((c) => c.ping()));
    }
    if (opts.settleMs > 0) await new Promise((r) => setTimeout(r, opts.settleMs));
  }

  async afterStep(): Promise<void> {
    if (this.opts.afterStep) await this.opts.afterStep();
  }

  async event(e: W1Event): Promise<void> {
    const client = this.client(e.evse);
    const id = stationIdOf(e.evse);
    switch (e.kind) {
      case 'reboot':
        await client.close();
        await client.connect();
        return;
      case 'csms': {
        if (this.opts.csmsEvent) return this.opts.csmsEvent(e);
        await this.waitUpstream(id);
        const txId = this.opts.csms.lastTransactionIdOf(id) ?? 1;
        const payload = e.action === 'SetChargingProfile' ? setChargingProfile16(txId, e.profileId ?? 1) : getCompositeSchedule16();
        await this.opts.csms.call(id, e.action, payload);
        return;
      }
      case 'call': {
        const payload = this.withTransactionId(e.evse, e.payload);
        const answer = await client.call(e.action, payload);
        if (e.action === 'StartTransaction') {
          const n = (this.starts.get(e.evse) ?? 0) + 1;
          this.starts.set(e.evse, n);
          this.txIds.set(`${e.evse}:${n}`, numberIn(answer, 'transactionId'));
        }
        return;
      }
    }
  }

  private async boot(evse: number): Promise<void> {
    const client = this.client(evse);
    await client.connect();
    await client.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22-1' });
    const timestamp = new Date(this.opts.clock.nowMs()).toISOString();
    for (const connectorId of [0, 1]) await client.call('StatusNotification', { connectorId, errorCode: 'NoError', status: 'Available', timestamp });
  }

  /** In proxy mode the station's upstream link may still be opening when the CSMS wants to call. */
  private async waitUpstream(id: string): Promise<void> {
    for (let i = 0; i < 200 && !this.opts.csms.connected(id); i++) await new Promise((r) => setTimeout(r, 5));
  }

  private client(evse: number): WireClient {
    const c = this.clients[evse];
    if (!c) throw new Error(`no charger ${evse}`);
    return c;
  }

  /** MeterValues and StopTransaction carry the id the charger was answered with. */
  private withTransactionId(evse: number, payload: Record<string, unknown>): Record<string, unknown> {
    if (typeof payload.transactionId !== 'number') return payload;
    const answered = this.txIds.get(`${evse}:${payload.transactionId}`);
    return answered === undefined ? payload : { ...payload, transactionId: answered };
  }
}

export function numberIn(v: unknown, name: string): number {
  if (typeof v === 'object' && v !== null && name in v) {
    const n = (v as Record<string, unknown>)[name];
    if (typeof n === 'number') return n;
  }
  throw new Error(`expected a number ${name} in ${JSON.stringify(v)}`);
}
