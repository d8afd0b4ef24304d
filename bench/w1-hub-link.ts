/**
 * Hub mode for W1, built from the pure translation (src/upstream/hub-mode: fromCharger and the
 * batching flush) and ONE real WebSocket link to the CSMS as the site station (OCPP 2.0.1),
 * with `ws`'s permessage-deflate when on. It plays what the hub's upstream link does: every
 * upstream message is a CALL awaited before the next; held samples are flushed when their window
 * has passed (checked every step); one site heartbeat, on a fixed interval or only when the link
 * has been idle for the interval; one WebSocket ping per interval. The downstream chargers'
 * messages are handed to the translation directly (no downstream sockets: only the upstream
 * link is counted). The hub answers the CSMS's calls about its EVSEs itself.
 */
import type { PerMessageDeflateOptions } from 'ws';
import type { Clock } from '../src/util/clock.js';
import {
  EMPTY_MAPPING,
  flushDueBatches,
  fromCharger,
  heartbeatDue,
  hubBootNotification,
  initialHubState,
  txKey,
  type HubModeConfig,
  type HubState,
  type UpstreamMessage,
} from '../src/upstream/hub-mode/index.js';
import type { SiteDriver } from './w1-drive.js';
import type { W1Csms } from './w1-csms.js';
import { getCompositeSchedule2x, hubAnswer2x, setChargingProfile2x } from './w1-payloads.js';
import { WireClient } from './w1-wire-client.js';
import { HEARTBEAT_INTERVAL_S, stationIdOf, W1_EVSES, type W1Event } from './w1-workload.js';

export const SITE_IDENTITY = 'W1-SITE';

export interface HubLinkOptions {
  csms: W1Csms;
  clock: Clock;
  config: HubModeConfig;
  perMessageDeflate: false | PerMessageDeflateOptions;
  pingIntervalS: number;
  /** fixed: every 300 s whatever else went over the link; idle: only after 300 s without traffic. */
  heartbeat: 'fixed' | 'idle';
}

export class HubLinkSite implements SiteDriver {
  private state: HubState = initialHubState(EMPTY_MAPPING);
  private readonly link: WireClient;
  private readonly starts = new Map<number, number>();
  private readonly txIds = new Map<string, number>();
  private lastTrafficMs: number;
  private lastHeartbeatMs: number;
  private lastPingMs: number;
  private queue: Promise<void> = Promise.resolve();
  /** Upstream messages by action (CALLs the hub sent). */
  readonly sent: Record<string, number> = {};
  notes = new Set<string>();

  constructor(private readonly opts: HubLinkOptions) {
    this.link = new WireClient({
      url: opts.csms.url,
      identity: SITE_IDENTITY,
      protocol: 'ocpp2.0.1',
      perMessageDeflate: opts.perMessageDeflate,
      answer: (action, payload) => hubAnswer2x(action, payload, opts.clock.nowMs()),
    });
    const now = opts.clock.nowMs();
    this.lastTrafficMs = now;
    this.lastHeartbeatMs = now;
    this.lastPingMs = now;
  }

  /** Opens the link, boots the site once and reports every charger's boot: the state the month starts in. */
  async bootAll(): Promise<void> {
    await this.link.connect();
    await this.link.call('BootNotification', hubBootNotification({ model: 'Switchyard' }));
    const timestamp = new Date(this.opts.clock.nowMs()).toISOString();
    for (let evse = 0; evse < W1_EVSES; evse++) {
      await this.fromCharger(evse, 'BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22-1' });
      for (const connectorId of [0, 1]) await this.fromCharger(evse, 'StatusNotification', { connectorId, errorCode: 'NoError', status: 'Available', timestamp });
    }
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  async step(nowMs: number): Promise<void> {
    const { opts } = this;
    const flushed = flushDueBatches(this.state, opts.config, nowMs);
    this.state = flushed.state;
    await this.sendAll(flushed.upstream);
    const heartbeat =
      opts.heartbeat === 'idle'
        ? heartbeatDue({ lastTrafficMs: this.lastTrafficMs, heartbeatIntervalS: HEARTBEAT_INTERVAL_S }, nowMs)
        : nowMs - this.lastHeartbeatMs >= HEARTBEAT_INTERVAL_S * 1000;
    if (heartbeat) {
      this.lastHeartbeatMs = nowMs;
      await this.sendAll([{ action: 'Heartbeat', payload: {}, kind: 'other' }]);
    }
    if (opts.pingIntervalS > 0 && nowMs - this.lastPingMs >= opts.pingIntervalS * 1000) {
      this.lastPingMs = nowMs;
      await this.link.ping();
    }
  }

  async event(e: W1Event): Promise<void> {
    const id = stationIdOf(e.evse);
    switch (e.kind) {
      case 'reboot':
        return; // downstream only: the charger's socket to the hub closes and opens again
      case 'call':
        await this.fromCharger(e.evse, e.action, e.payload);
        return;
      case 'csms': {
        const entry = this.state.mapping.entries.find((m) => m.stationId === id && m.evseId === 1);
        const evseId = entry?.upstreamEvseId ?? 1;
        let payload: object;
        if (e.action === 'SetChargingProfile') {
          const chargerTx = this.txIds.get(`${e.evse}:${e.session ?? 0}`);
          const tx = chargerTx === undefined ? undefined : this.state.transactions[txKey(id, String(chargerTx))];
          payload = setChargingProfile2x(evseId, tx?.transactionId ?? 'unknown', e.profileId ?? 1);
        } else {
          payload = getCompositeSchedule2x(evseId);
        }
        this.lastTrafficMs = this.opts.clock.nowMs();
        await this.opts.csms.call(SITE_IDENTITY, e.action, payload);
        return;
      }
    }
  }

  /** One downstream CALL through the translation; what it produces goes upstream in order. */
  private async fromCharger(evse: number, action: string, payload: Record<string, unknown>): Promise<void> {
    // The translation state is shared by all chargers: one message at a time, like the hub's step.
    const run = this.queue.then(async () => {
      const stationId = stationIdOf(evse);
      const r = fromCharger(this.state, this.opts.config, { stationId, version: '1.6', action, payload: this.withTransactionId(evse, payload), receivedMs: this.opts.clock.nowMs() });
      this.state = r.state;
      for (const n of r.notes) this.notes.add(n);
      if (action === 'StartTransaction' && r.answer.kind === 'startTransaction16') {
        const n = (this.starts.get(evse) ?? 0) + 1;
        this.starts.set(evse, n);
        this.txIds.set(`${evse}:${n}`, r.answer.transactionId);
      }
      await this.sendAll(r.upstream);
    });
    this.queue = run.catch(() => undefined);
    await run;
  }

  private async sendAll(messages: readonly UpstreamMessage[]): Promise<void> {
    for (const m of messages) {
      this.sent[m.action] = (this.sent[m.action] ?? 0) + 1;
      if (m.action === 'TransactionEvent') {
        const n = (m.payload as { meterValue?: unknown[] }).meterValue?.length ?? 0;
        this.sent['(meter samples in TransactionEvents)'] = (this.sent['(meter samples in TransactionEvents)'] ?? 0) + n;
      }
      this.lastTrafficMs = this.opts.clock.nowMs();
      await this.link.call(m.action, m.payload);
    }
  }

  private withTransactionId(evse: number, payload: Record<string, unknown>): Record<string, unknown> {
    if (typeof payload.transactionId !== 'number') return payload;
    const answered = this.txIds.get(`${evse}:${payload.transactionId}`);
    return answered === undefined ? payload : { ...payload, transactionId: answered };
  }
}
