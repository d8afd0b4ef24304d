/**
 * One charger of the soak site: an ocpp-rpc client in strict mode (OCPP 1.6 or 2.0.1) that runs
 * charging sessions on a compressed clock, reconnects now and then, and behaves as a station
 * does when the hub disappears: it reconnects and sends the unanswered CALL again, same content
 * (a 2.0.1 TransactionEvent keeps its seqNo). It records every reading whose message the hub
 * answered, so that the CSMS's side can be checked for losses and duplicates at the end.
 */
import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x, ocppClient } from '../test/helpers/hub-harness.js';
import type { Prng } from '../src/sim/prng.js';
import type { SoakClock } from './soak-clock.js';

export type SoakVersion = '1.6' | '2.0.1';

/** A reading the hub answered: its unique energy register value, and the message that carried it. */
export interface AnsweredReading {
  chargerId: string;
  /** The charger's name for the transaction: the hub's 1.6 id, or the 2.0.1 transactionId. */
  transactionKey: string;
  action: 'Start' | 'Meter' | 'Stop';
  valueWh: number;
}

export interface SoakChargerDeps {
  id: string;
  version: SoakVersion;
  /** Energy register values of this charger start here, so every reading of the site is unique. */
  firstWh: number;
  prng: Prng;
  /** The hub's OCPP endpoint now (it changes with every restart), undefined while it is down. */
  endpoint: () => string | undefined;
  /** Simulated time (stands still while the hub restarts). */
  clock: SoakClock;
  /** Wait between two connection attempts, real ms. */
  reconnectDelayMs: number;
}

export interface SoakChargerStats {
  sessions: number;
  calls: number;
  /** CALLs sent again after the connection was lost before their answer. */
  retries: number;
  connects: number;
  /** Connections the charger closed itself (reconnecting now and then). */
  voluntaryReconnects: number;
  reboots: number;
  /** CALLERRORs the hub answered, by code. */
  callErrors: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Meter readings per simulated hour during a session (every 5 simulated minutes). */
const READINGS_PER_HOUR = 12;
/** Chance per reading that the charger drops its connection and reconnects (about once per 8 simulated hours). */
const RECONNECT_CHANCE = 1 / (8 * READINGS_PER_HOUR);
/** Chance per session that the charger reboots (BootNotification) before it. */
const REBOOT_CHANCE = 0.2;

export class SoakCharger {
  readonly answered: AnsweredReading[] = [];
  readonly stats: SoakChargerStats = { sessions: 0, calls: 0, retries: 0, connects: 0, voluntaryReconnects: 0, reboots: 0, callErrors: {} };
  private client: RPCClient | undefined;
  private wh: number;
  private txCounter = 0;
  private stopping = false;
  private booted = false;

  constructor(private readonly deps: SoakChargerDeps) {
    this.wh = deps.firstWh;
  }

  get id(): string {
    return this.deps.id;
  }

  /** Ends the session under way (its Stop is sent) and returns. */
  finish(): void {
    this.stopping = true;
  }

  /** Runs sessions until finish(); resolves once the last one is stopped and the connection closed. */
  async run(): Promise<void> {
    const { prng } = this.deps;
    await this.pause(prng.between(0, 0.5));
    while (!this.stopping) {
      if (!this.booted || prng.next() < REBOOT_CHANCE) await this.boot();
      await this.session(prng.between(1, 3));
      if (this.stopping) break;
      await this.pause(prng.between(0.25, 1.5));
    }
    await this.client?.close({ force: true });
    this.client = undefined;
  }

  private async boot(): Promise<void> {
    if (this.booted) this.stats.reboots++;
    await this.call('BootNotification', this.deps.version === '1.6' ? boot16 : boot2x);
    await this.call('StatusNotification', this.status('Available'));
    this.booted = true;
  }

  private async session(hours: number): Promise<void> {
    this.stats.sessions++;
    const readings = Math.max(1, Math.round(hours * READINGS_PER_HOUR));
    const step = 1 / READINGS_PER_HOUR;
    await this.call('StatusNotification', this.status('Preparing'));
    const tx = await this.start();
    for (let i = 0; i < readings && !this.stopping; i++) {
      await this.pause(step);
      if (this.deps.prng.next() < RECONNECT_CHANCE) this.dropConnection();
      await tx.meter();
    }
    await tx.stop();
    await this.call('StatusNotification', this.status('Available'));
  }

  private async start(): Promise<{ meter: () => Promise<void>; stop: () => Promise<void> }> {
    const { id, version } = this.deps;
    if (version === '1.6') {
      const meterStart = this.nextWh();
      const answer = (await this.call('StartTransaction', { connectorId: 1, idTag: 'LOCAL1', meterStart, timestamp: now() })) as { transactionId: number } | undefined;
      // A CALLERROR (counted in stats) leaves no transaction to charge on.
      if (answer === undefined) return { meter: () => Promise.resolve(), stop: () => Promise.resolve() };
      const key = String(answer.transactionId);
      this.record(key, 'Start', meterStart);
      return {
        meter: async () => {
          const wh = this.nextWh();
          await this.call('MeterValues', { connectorId: 1, transactionId: answer.transactionId, meterValue: [reading16(wh)] });
          this.record(key, 'Meter', wh);
        },
        stop: async () => {
          const meterStop = this.nextWh();
          await this.call('StopTransaction', { transactionId: answer.transactionId, meterStop, timestamp: now(), reason: 'EVDisconnected' });
          this.record(key, 'Stop', meterStop);
        },
      };
    }
    const transactionId = `${id}-T${++this.txCounter}`;
    let seqNo = 0;
    const event = async (eventType: 'Started' | 'Updated' | 'Ended'): Promise<void> => {
      const wh = this.nextWh();
      await this.call('TransactionEvent', txEvent2x(eventType, seqNo++, transactionId, wh));
      this.record(transactionId, eventType === 'Started' ? 'Start' : eventType === 'Ended' ? 'Stop' : 'Meter', wh);
    };
    await event('Started');
    return { meter: () => event('Updated'), stop: () => event('Ended') };
  }

  /** Sends a CALL until the hub answers it: a lost connection is re-opened and the same CALL sent again. */
  private async call(action: string, payload: unknown): Promise<unknown> {
    this.stats.calls++;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      const client = await this.connected();
      try {
        return await client.call(action, payload);
      } catch (err) {
        const code = (err as { rpcErrorCode?: unknown }).rpcErrorCode;
        if (typeof code === 'string') {
          this.stats.callErrors[code] = (this.stats.callErrors[code] ?? 0) + 1;
          return undefined;
        }
        this.dropConnection();
      }
    }
  }

  private async connected(): Promise<RPCClient> {
    for (;;) {
      if (this.client) return this.client;
      const endpoint = this.deps.endpoint();
      if (endpoint !== undefined) {
        const client = ocppClient(endpoint, this.deps.id, { version: this.deps.version, callTimeoutMs: 60_000 });
        client.handle(({ method }) => Promise.resolve(answerCsmsCall(method ?? '')));
        client.on('close', () => {
          if (this.client === client) this.client = undefined;
        });
        try {
          await client.connect();
          this.client = client;
          this.stats.connects++;
          return client;
        } catch {
          await client.close({ force: true }).catch(() => undefined);
        }
      }
      await sleep(this.deps.reconnectDelayMs);
    }
  }

  private dropConnection(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    this.stats.voluntaryReconnects++;
    void client.close({ force: true }).catch(() => undefined);
  }

  /** Waits simulated hours, or less when finish() is called. */
  private pause(hours: number): Promise<void> {
    return this.deps.clock.sleepH(hours, () => this.stopping);
  }

  private nextWh(): number {
    this.wh += 1 + Math.floor(this.deps.prng.next() * 50);
    return this.wh;
  }

  private record(transactionKey: string, action: AnsweredReading['action'], valueWh: number): void {
    this.answered.push({ chargerId: this.deps.id, transactionKey, action, valueWh });
  }

  private status(status: 'Available' | 'Preparing'): Record<string, unknown> {
    if (this.deps.version === '1.6') return { connectorId: 1, errorCode: 'NoError', status };
    return { timestamp: now(), connectorStatus: status === 'Available' ? 'Available' : 'Occupied', evseId: 1, connectorId: 1 };
  }
}

function now(): string {
  return new Date().toISOString();
}

function reading16(wh: number): Record<string, unknown> {
  return { timestamp: now(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', unit: 'Wh' }] };
}

function txEvent2x(eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, transactionId: string, wh: number): Record<string, unknown> {
  const context = eventType === 'Started' ? 'Transaction.Begin' : eventType === 'Ended' ? 'Transaction.End' : 'Sample.Periodic';
  return {
    eventType,
    timestamp: now(),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
    evse: { id: 1, connectorId: 1 },
    ...(eventType === 'Started' ? { idToken: { idToken: 'LOCAL1', type: 'ISO14443' } } : {}),
    meterValue: [{ timestamp: now(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context }] }],
  };
}

/** What the charger answers the hub's calls (profiles, configuration): accepted, nothing more. */
function answerCsmsCall(method: string): Record<string, unknown> {
  switch (method) {
    case 'GetConfiguration':
      return { configurationKey: [], unknownKey: [] };
    case 'GetCompositeSchedule':
      return { status: 'Rejected' };
    default:
      return { status: 'Accepted' };
  }
}
