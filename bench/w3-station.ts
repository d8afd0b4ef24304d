/**
 * A lightweight W3 charger: a plain `ws` socket with hand-written OCPP-J frames (not the hub's
 * code). It boots, optionally starts a transaction, answers every SetChargingProfile with
 * Accepted and records when each one arrived (performance.now(), the same clock as the broker
 * hook in the same process) and its profile id. Other CALLs from the hub get NotImplemented.
 */
import { WebSocket } from 'ws';
import type { BenchVersion } from './bench-station.js';
import { bootCall, startCall } from './ocpp-frames.js';

export interface ProfileReceipt {
  /** performance.now() when the frame arrived, ms. */
  atMs: number;
  stationId: string;
  profileId: number | undefined;
}

export interface W3StationDeps {
  url: string;
  stationId: string;
  version: BenchVersion;
  /** Called for every SetChargingProfile received. */
  onProfile: (r: ProfileReceipt) => void;
  callTimeoutMs: number;
}

type Answer = { ok: true; payload: Record<string, unknown> } | { ok: false; error: string };

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The profile id of a 1.6 or 2.x SetChargingProfile request. */
export function profileIdOf(payload: unknown): number | undefined {
  const p = record(payload);
  const id = record(p?.['csChargingProfiles'])?.['chargingProfileId'] ?? record(p?.['chargingProfile'])?.['id'];
  return typeof id === 'number' ? id : undefined;
}

export class W3Station {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly waiting = new Map<string, { resolve: (a: Answer) => void; timer: NodeJS.Timeout }>();
  /** CALLs from the hub other than SetChargingProfile. */
  otherCalls = 0;

  constructor(private readonly deps: W3StationDeps) {}

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
  }

  close(): void {
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
        this.deps.onProfile({ atMs, stationId: this.deps.stationId, profileId: profileIdOf(fourth) });
        socket.send(JSON.stringify([3, id, { status: 'Accepted' }]));
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
