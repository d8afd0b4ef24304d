/**
 * A fleet of benchmark chargers against one server: connect, boot, start a transaction, send
 * periodic samples, drop and reconnect. Every operation is bounded (timeouts, retry limits) and
 * tallies what went wrong instead of throwing, so the benchmark can report errors as a figure.
 */
import type { Prng } from '../src/sim/prng.js';
import { benchStationId } from './scale-target.js';
import { BenchStation, type BenchVersion, type CallOutcome } from './bench-station.js';
import { bootCall, heartbeatCall, meterCall, startCall, type MeterSample, type OcppCall } from './ocpp-frames.js';
import { meterFrames } from './meter-frames.js';

export interface FleetDeps {
  url: string;
  size: number;
  /** Whether BootNotification answers must say Accepted (the echo server answers {}). */
  checkBootStatus: boolean;
  idTag: string;
  callTimeoutMs: number;
  prng: Prng;
}

/** Counts of failures by kind, with the first example of each. */
export class ErrorTally {
  private readonly counts = new Map<string, { count: number; example: string }>();

  add(kind: string, example: string): void {
    const entry = this.counts.get(kind);
    if (entry) entry.count++;
    else this.counts.set(kind, { count: 1, example });
  }

  get total(): number {
    let n = 0;
    for (const e of this.counts.values()) n += e.count;
    return n;
  }

  describe(): string[] {
    return [...this.counts.entries()].map(([kind, e]) => `${e.count} x ${kind} (first: ${e.example})`);
  }
}

interface Charger {
  station: BenchStation;
  transactionId: string;
  seqNo: number;
  energyWh: number;
}

const CONNECT_ATTEMPTS = 10;

export class Fleet {
  readonly errors = new ErrorTally();
  /** Connection attempts that failed and were retried. */
  retries = 0;
  private readonly chargers: Charger[] = [];

  constructor(private readonly deps: FleetDeps) {
    for (let i = 0; i < deps.size; i++) {
      const version: BenchVersion = i % 2 === 0 ? '1.6' : '2.0.1';
      const stationId = benchStationId(i);
      const station = new BenchStation({ url: deps.url, stationId, version, callTimeoutMs: deps.callTimeoutMs });
      this.chargers.push({ station, transactionId: `${stationId}-TX`, seqNo: 1, energyWh: 0 });
    }
  }

  get size(): number {
    return this.chargers.length;
  }

  /**
   * Steady traffic: meter samples at `ratePerS` in total, the chargers in turn (each one every
   * size / ratePerS seconds, as W2's "a meter message every 10 s" at rate = size / 10), for
   * `durationMs`. Returns the round trip of every answered call; a charger whose previous call
   * is still in flight skips its turn (counted in `skipped`).
   *
   * The generator is the measuring instrument and shares the machine with the hub, so a message
   * costs it little: its frame is written as text from parts made once per charger (the same text
   * as `meterCall` serialised), and a call is a callback, not a promise, timed out by this
   * schedule's own timer rather than one timer per call.
   */
  async steady(ratePerS: number, durationMs: number): Promise<{ rtts: number[]; sentAtMs: number[]; sent: number; skipped: number }> {
    const rtts: number[] = [];
    /** When each answered message was sent (epoch ms, fractional), in the order of rtts. */
    const sentAtMs: number[] = [];
    const busy = new Set<Charger>();
    let inFlight = 0;
    let drained: (() => void) | undefined;
    let sent = 0;
    let skipped = 0;
    let turn = 0;
    const timeoutMs = this.deps.callTimeoutMs;
    // One callback and one frame writer per charger, made once for the window.
    const parts = this.chargers.map((c) => {
      const action = c.station.version === '1.6' ? 'MeterValues' : 'TransactionEvent';
      const done = (outcome: CallOutcome): void => {
        busy.delete(c);
        if (outcome.ok) {
          rtts.push(outcome.rttMs);
          sentAtMs.push(performance.timeOrigin + performance.now() - outcome.rttMs);
        }
        else this.errors.add(`${action} failed`, `${c.station.stationId}: ${outcome.error}`);
        if (--inFlight === 0) drained?.();
      };
      return { c, action, done, frames: meterFrames(c.station.version, c.transactionId) };
    });
    const expire = (): void => {
      const now = performance.now();
      for (const c of busy) c.station.expire(now, timeoutMs);
    };
    const t0 = performance.now();
    await new Promise<void>((finished) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - t0;
        const due = Math.min(Math.floor((elapsed * ratePerS) / 1000), Math.floor((durationMs * ratePerS) / 1000));
        while (sent + skipped < due) {
          const p = parts[turn++ % parts.length];
          if (!p) break;
          const c = p.c;
          if (busy.has(c)) {
            skipped++;
            continue;
          }
          sent++;
          c.energyWh += 61;
          const seqNo = c.seqNo++;
          const frame = p.frames.frame(c.station.nextCallId(), seqNo, Date.now(), sampleOf(c.energyWh, seqNo));
          if (!c.station.send(frame, p.done)) {
            this.errors.add(`${p.action} failed`, `${c.station.stationId}: not connected`);
            continue;
          }
          busy.add(c);
          inFlight++;
        }
        if (busy.size > 0) expire();
        if (elapsed >= durationMs) {
          clearInterval(timer);
          finished();
        }
      }, 5);
    });
    if (inFlight > 0) {
      const sweep = setInterval(expire, 1000);
      await new Promise<void>((resolve) => (drained = resolve));
      clearInterval(sweep);
    }
    return { rtts, sentAtMs, sent, skipped };
  }

  /** A station of the given version (for latency probes). */
  stationOf(version: BenchVersion): BenchStation {
    const c = this.chargers.find((x) => x.station.version === version);
    if (!c) throw new Error(`no ${version} station in the fleet`);
    return c.station;
  }

  get serverCalls(): number {
    return this.chargers.reduce((n, c) => n + c.station.serverCalls, 0);
  }

  /** Connects, boots and starts a transaction on every charger, `concurrency` at a time. */
  async connectAll(concurrency: number): Promise<void> {
    await inPool(this.chargers, concurrency, async (c) => {
      if (!(await this.connectAndBoot(c))) return;
      const start = startCall(c.station.version, c.transactionId, this.deps.idTag, Date.now());
      const outcome = await this.expectResult(c, start);
      if (outcome?.ok && c.station.version === '1.6') {
        const id = outcome.payload['transactionId'];
        c.transactionId = typeof id === 'number' ? String(id) : '1';
      }
    });
  }

  /** Every charger sends `count` messages in sequence (one in flight each), all chargers at once. */
  async sendAll(count: number): Promise<number> {
    let sent = 0;
    await Promise.all(
      this.chargers.map(async (c) => {
        for (let i = 0; i < count; i++) {
          await this.expectResult(c, i % 10 === 9 ? heartbeatCall() : this.nextSample(c));
          sent++;
        }
      }),
    );
    return sent;
  }

  /** Sequential periodic samples from one station; the round-trip times of the answered ones. */
  async probe(station: BenchStation, count: number): Promise<number[]> {
    const c = this.chargers.find((x) => x.station === station);
    if (!c) throw new Error('not a station of this fleet');
    const rtts: number[] = [];
    for (let i = 0; i < count; i++) {
      const outcome = await this.expectResult(c, this.nextSample(c));
      if (outcome?.ok) rtts.push(outcome.rttMs);
    }
    return rtts;
  }

  /** Every charger drops its connection at once (no closing handshake). */
  dropAll(): void {
    for (const c of this.chargers) c.station.drop();
  }

  /** Every charger reconnects and boots, all at once, retrying failed connections; how many booted. */
  async reconnectAll(): Promise<number> {
    const booted = await Promise.all(this.chargers.map((c) => this.connectAndBoot(c)));
    return booted.filter(Boolean).length;
  }

  private nextSample(c: Charger): OcppCall {
    c.energyWh += 61;
    const seqNo = c.seqNo++;
    return meterCall(c.station.version, c.transactionId, seqNo, Date.now(), sampleOf(c.energyWh, seqNo));
  }

  private async connectAndBoot(c: Charger): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.station.connect();
        break;
      } catch (err) {
        if (attempt >= CONNECT_ATTEMPTS) {
          this.errors.add('connect failed', err instanceof Error ? err.message : String(err));
          return false;
        }
        this.retries++;
        await new Promise((r) => setTimeout(r, this.deps.prng.int(100, 500)));
      }
    }
    const outcome = await this.expectResult(c, bootCall(c.station.version));
    if (!outcome?.ok) return false;
    if (this.deps.checkBootStatus && outcome.payload['status'] !== 'Accepted') {
      this.errors.add('boot not accepted', JSON.stringify(outcome.payload));
      return false;
    }
    return true;
  }

  /** Sends a call; tallies anything but a CALLRESULT. */
  private async expectResult(c: Charger, call: OcppCall): Promise<CallOutcome | undefined> {
    const outcome = await c.station.call(call.action, call.payload);
    if (!outcome.ok) this.errors.add(`${call.action} failed`, `${c.station.stationId}: ${outcome.error}`);
    return outcome;
  }
}

/** What a charger's meter reports with its register at `energyWh`, in its message `seqNo`. */
function sampleOf(energyWh: number, seqNo: number): MeterSample {
  return { energyWh, powerW: 11_040, currentA: 16, voltageV: 230, socPercent: 40 + (seqNo % 50) };
}

/** Runs `work` on every item with at most `concurrency` running at once. */
async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
