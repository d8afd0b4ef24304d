/**
 * A lightweight W3 charger: a plain `ws` socket with hand-written OCPP-J frames (not the hub's
 * code). It boots, optionally starts a transaction, answers every SetChargingProfile with
 * Accepted and records when each one arrived (performance.now(), the same clock as the broker
 * hook in the same process), its profile id and the offer before and after it (the limit of the
 * highest stack level it holds). Like a real charger with a car, it draws what it is offered
 * (0 below 6 A, at most its maximum) `followMs` after the offer changed, and reports its current
 * per phase (MeterValues / TransactionEvent with Current.Import) when the draw changed and every
 * `reportIntervalMs`. Other CALLs from the hub get NotImplemented.
 */
import { WebSocket } from 'ws';
import type { BenchVersion } from './bench-station.js';
import { bootCall, meterCall, startCall } from './ocpp-frames.js';

export interface ProfileReceipt {
  /** performance.now() when the frame arrived, ms. */
  atMs: number;
  stationId: string;
  profileId: number | undefined;
  /** The charger's offer (limit of its highest stack level) before and after this profile, A. */
  offerBeforeA: number | undefined;
  offerAfterA: number | undefined;
}

/** Below this an EV does not charge, A (IEC 61851). */
const EV_MIN_A = 6;

export interface W3StationDeps {
  url: string;
  stationId: string;
  version: BenchVersion;
  /** Called for every SetChargingProfile received. */
  onProfile: (r: ProfileReceipt) => void;
  callTimeoutMs: number;
  phases: 1 | 3;
  maxCurrentA: number;
  /** The EV follows a new offer this long after it arrived, ms. */
  followMs: number;
  /** Periodic current report while charging, ms. */
  reportIntervalMs: number;
  /** The draw changed (the rig's grid meter sums the draws). */
  onDraw?: () => void;
}

type Answer = { ok: true; payload: Record<string, unknown> } | { ok: false; error: string };

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The profile id, stack level and first period's limit of a 1.6 or 2.x SetChargingProfile request. */
export function profileOf(payload: unknown): { id?: number; stackLevel: number; limit?: number } {
  const p = record(payload);
  const prof = record(p?.['csChargingProfiles']) ?? record(p?.['chargingProfile']);
  const rawSchedule = prof?.['chargingSchedule'];
  const schedule = Array.isArray(rawSchedule) ? record(rawSchedule[0]) : record(rawSchedule);
  const periods = schedule?.['chargingSchedulePeriod'];
  const first = Array.isArray(periods) ? record(periods[0]) : undefined;
  const id = prof?.['chargingProfileId'] ?? prof?.['id'];
  const stackLevel = prof?.['stackLevel'];
  const limit = first?.['limit'];
  return {
    ...(typeof id === 'number' ? { id } : {}),
    stackLevel: typeof stackLevel === 'number' ? stackLevel : 0,
    ...(typeof limit === 'number' ? { limit } : {}),
  };
}

export class W3Station {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly waiting = new Map<string, { resolve: (a: Answer) => void; timer: NodeJS.Timeout }>();
  /** CALLs from the hub other than SetChargingProfile. */
  otherCalls = 0;
  /** Current the EV draws on each of its phases now, A. */
  drawA = 0;
  private charging = false;
  private transactionId = '';
  private seqNo = 1;
  private energyWh = 0;
  private lastEnergyMs = Date.now();
  /** Held profiles by id. */
  private readonly profiles = new Map<number, { stackLevel: number; limit: number }>();
  private followTimer: NodeJS.Timeout | undefined;
  private reportTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: W3StationDeps) {}

  /** The limit of the highest stack level held (the charger's offer), A; undefined = none. */
  offerA(): number | undefined {
    let best: { stackLevel: number; limit: number } | undefined;
    for (const p of this.profiles.values()) if (!best || p.stackLevel > best.stackLevel) best = p;
    return best?.limit;
  }

  connect(): Promise<void> {
    const socket = new WebSocket(`${this.deps.url}/${encodeURIComponent(this.deps.stationId)}`, [`ocpp${this.deps.version}`], { perMessageDeflate: false });
    this.socket = socket;
    socket.on('message', (data) => this.onMessage(socket, data.toString()));
    socket.on('close', () => {
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer);
        w.resolve({ ok: false, error: 'connection closed' });
        this.waiting.delete(id);
      }
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        resolve();
      });
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** BootNotification, then (when charging) a transaction start; throws when the hub says no. */
  async bootAndStart(charging: boolean): Promise<void> {
    const boot = await this.call(bootCall(this.deps.version));
    if (!boot.ok || boot.payload['status'] !== 'Accepted') throw new Error(`${this.deps.stationId}: boot ${JSON.stringify(boot)}`);
    if (!charging) return;
    const start = await this.call(startCall(this.deps.version, `${this.deps.stationId}-tx`, 'W3TAG', Date.now()));
    if (!start.ok) throw new Error(`${this.deps.stationId}: transaction start ${start.error}`);
    const info = record(start.payload['idTagInfo']) ?? record(start.payload['idTokenInfo']);
    if (info && info['status'] !== 'Accepted') throw new Error(`${this.deps.stationId}: id tag ${String(info['status'])}`);
    this.transactionId = this.deps.version === '1.6' ? String(start.payload['transactionId']) : `${this.deps.stationId}-tx`;
    this.charging = true;
    this.follow();
    this.reportTimer = setInterval(() => this.report(), this.deps.reportIntervalMs);
  }

  /** The EV takes the current offer (0 below the minimum, at most the charger's maximum) and the charger reports it when it changed. */
  private follow(): void {
    const offer = this.offerA();
    const drawA = this.charging && offer !== undefined && offer >= EV_MIN_A ? Math.min(offer, this.deps.maxCurrentA) : 0;
    if (drawA === this.drawA) return;
    this.accumulate();
    this.drawA = drawA;
    this.deps.onDraw?.();
    this.report();
  }

  private accumulate(): void {
    const now = Date.now();
    this.energyWh += (this.drawA * this.deps.phases * 230 * (now - this.lastEnergyMs)) / 3_600_000;
    this.lastEnergyMs = now;
  }

  private report(): void {
    if (!this.charging) return;
    this.accumulate();
    const sample = { energyWh: Math.round(this.energyWh), powerW: Math.round(this.drawA * this.deps.phases * 230), currentA: this.drawA, voltageV: 230, socPercent: 50, phases: this.deps.phases };
    void this.call(meterCall(this.deps.version, this.transactionId, this.seqNo++, Date.now(), sample));
  }

  close(): void {
    clearTimeout(this.followTimer);
    clearInterval(this.reportTimer);
    this.charging = false;
    this.socket?.close(1000);
    this.socket = undefined;
  }

  private call(c: { action: string; payload: unknown }): Promise<Answer> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve({ ok: false, error: 'not connected' });
    const id = `w3-${this.nextId++}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, error: `no answer to ${c.action}` });
      }, this.deps.callTimeoutMs);
      this.waiting.set(id, { resolve, timer });
      socket.send(JSON.stringify([2, id, c.action, c.payload]));
    });
  }

  private onMessage(socket: WebSocket, text: string): void {
    const atMs = performance.now();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(frame)) return;
    const [type, id, third, fourth] = frame as [unknown, unknown, unknown, unknown];
    if (typeof id !== 'string') return;
    if (type === 2) {
      if (third === 'SetChargingProfile') {
        const before = this.offerA();
        const prof = profileOf(fourth);
        if (prof.id !== undefined && prof.limit !== undefined) this.profiles.set(prof.id, { stackLevel: prof.stackLevel, limit: prof.limit });
        const after = this.offerA();
        this.deps.onProfile({ atMs, stationId: this.deps.stationId, profileId: prof.id, offerBeforeA: before, offerAfterA: after });
        socket.send(JSON.stringify([3, id, { status: 'Accepted' }]));
        if (after !== before) {
          clearTimeout(this.followTimer);
          this.followTimer = setTimeout(() => this.follow(), this.deps.followMs);
        }
      } else {
        this.otherCalls++;
        socket.send(JSON.stringify([4, id, 'NotImplemented', 'W3 bench station', {}]));
      }
      return;
    }
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (type === 3) w.resolve({ ok: true, payload: record(third) ?? {} });
    else w.resolve({ ok: false, error: `CALLERROR ${String(third)}: ${String(fourth)}` });
  }
}
