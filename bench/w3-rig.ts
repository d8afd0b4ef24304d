/**
 * One W3 set-up: the aedes broker (recording when each meter message arrives), a grid-meter
 * publisher over real MQTT, the real hub in this process (startHub with a config object), and
 * the lightweight stations that record every SetChargingProfile they receive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startHub, type RunningHub } from '../src/hub.js';
import { silentLogger } from '../src/util/logger.js';
import { startW3Broker, type W3Broker } from './w3-broker.js';
import { W3_GRID_TOPIC, w3Evses, w3SiteConfig, type W3Evse } from './w3-site.js';
import { W3Station, type ProfileReceipt } from './w3-station.js';

export interface W3RigOptions {
  evses: number;
  chargingPerCircuit: number;
  debounceMs: number;
  minIntervalS: number;
  hysteresisA: number;
  /** Building load per phase at the start, A. */
  buildingA: number;
  meterIntervalMs: number;
  connectConcurrency: number;
  /** The EVs follow a new offer this long after it arrived, ms. */
  followMs: number;
  /** The chargers' periodic current report, ms (they also report every change of draw). */
  reportIntervalMs: number;
}

type PhaseA = { L1: number; L2: number; L3: number };

/**
 * Publishes the grid meter every interval: building load plus what the EVs draw, per site phase;
 * a step publishes at once and restarts the interval.
 */
class GridMeter {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly client: mqtt.MqttClient,
    private buildingA: number,
    private readonly intervalMs: number,
    private readonly evLoadA: () => PhaseA,
  ) {}

  start(): void {
    this.publish();
    this.timer = setInterval(() => this.publish(), this.intervalMs);
  }

  /** L1 current of each published message, by sequence number. */
  readonly publishedL1A = new Map<number, number>();

  /** Sets the building load and publishes it now; returns the message's sequence number. */
  stepTo(buildingA: number): number {
    this.buildingA = buildingA;
    clearInterval(this.timer);
    const seq = this.publish();
    this.timer = setInterval(() => this.publish(), this.intervalMs);
    return seq;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private publish(): number {
    const seq = ++this.seq;
    const a = this.buildingA;
    const ev = this.evLoadA();
    const r = (x: number) => Math.round(x * 10) / 10;
    this.publishedL1A.set(seq, r(a + ev.L1));
    this.client.publish(W3_GRID_TOPIC, JSON.stringify({ seq, currentA: { L1: r(a + ev.L1), L2: r(a + ev.L2), L3: r(a + ev.L3) } }));
    return seq;
  }
}

/** What the broker and the stations saw: meter-message arrivals and profile receipts. */
class Recorder {
  readonly receipts: ProfileReceipt[] = [];
  private readonly arrivals = new Map<number, number>();
  private readonly waiters = new Map<number, (atMs: number) => void>();

  arrived(seq: number, atMs: number): void {
    this.arrivals.set(seq, atMs);
    const w = this.waiters.get(seq);
    if (w) {
      this.waiters.delete(seq);
      w(atMs);
    }
  }

  arrivalOf(seq: number): Promise<number> {
    const known = this.arrivals.get(seq);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.set(seq, resolve));
  }
}

export class W3Rig {
  private constructor(
    readonly hub: RunningHub,
    readonly evses: W3Evse[],
    readonly stations: W3Station[],
    readonly meter: GridMeter,
    private readonly recorder: Recorder,
    private readonly broker: W3Broker,
    private readonly client: mqtt.MqttClient,
    private readonly dir: string,
  ) {}

  static async start(opts: W3RigOptions): Promise<W3Rig> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-w3-'));
    const recorder = new Recorder();
    const broker = await startW3Broker((topic, payload, atMs) => {
      if (topic === W3_GRID_TOPIC) recorder.arrived((JSON.parse(payload.toString()) as { seq: number }).seq, atMs);
    });
    const client = await mqtt.connectAsync(broker.url);
    const evses = w3Evses(opts.evses, opts.chargingPerCircuit);
    const stations: W3Station[] = [];
    const evLoadA = (): PhaseA => {
      const sum: PhaseA = { L1: 0, L2: 0, L3: 0 };
      stations.forEach((s, i) => {
        for (const p of evses[i]?.phaseRotation ?? []) sum[p as keyof PhaseA] += s.drawA;
      });
      return sum;
    };
    const meter = new GridMeter(client, opts.buildingA, opts.meterIntervalMs, evLoadA);
    meter.start();
    const config = w3SiteConfig(evses, { evses: opts.evses, chargingPerCircuit: opts.chargingPerCircuit, dataDir: dir, mqttUrl: broker.url, debounceMs: opts.debounceMs, minIntervalS: opts.minIntervalS, hysteresisA: opts.hysteresisA });
    const hub = await startHub({ config, configPath: join(dir, 'w3.yaml'), log: silentLogger() });
    for (const e of evses) {
      stations.push(
        new W3Station({
          url: hub.ocppUrl,
          stationId: e.stationId,
          version: e.version,
          callTimeoutMs: 30_000,
          phases: e.phases,
          maxCurrentA: e.maxCurrentA,
          followMs: opts.followMs,
          reportIntervalMs: opts.reportIntervalMs,
          onProfile: (r) => recorder.receipts.push(r),
        }),
      );
    }
    for (let i = 0; i < stations.length; i += opts.connectConcurrency) {
      const batch = stations.slice(i, i + opts.connectConcurrency);
      await Promise.all(batch.map((s) => s.connect()));
      await Promise.all(batch.map((s, j) => s.bootAndStart(evses[i + j]?.charging ?? false)));
    }
    return new W3Rig(hub, evses, stations, meter, recorder, broker, client, dir);
  }

  /** Every SetChargingProfile the stations received, in arrival order. */
  get receipts(): readonly ProfileReceipt[] {
    return this.recorder.receipts;
  }

  /** Resolves with the broker arrival time of meter message `seq`. */
  arrivalOf(seq: number): Promise<number> {
    return this.recorder.arrivalOf(seq);
  }

  chargingKeys(): string[] {
    return this.evses.filter((e) => e.charging).map((e) => `${e.stationId}/1`);
  }

  async stop(): Promise<void> {
    this.meter.stop();
    for (const s of this.stations) s.close();
    await this.hub.stop();
    await this.client.endAsync();
    await this.broker.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
