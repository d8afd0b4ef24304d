/**
 * The soak's simulated time: real time scaled (one simulated hour = `hourMs` real ms) that
 * stands still while the hub is being restarted, so that a slow start-up on a busy machine
 * does not eat simulated hours (chargers, CSMS outages and kills all wait on it).
 */
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How often a waiter looks at the clock, real ms (at most). */
const POLL_MS = 50;

export class SoakClock {
  private readonly startMs = Date.now();
  private pausedMs = 0;
  private pausedAt: number | undefined;

  constructor(readonly hourMs: number) {}

  /** Simulated hours since the start. */
  nowH(): number {
    const now = this.pausedAt ?? Date.now();
    return (now - this.startMs - this.pausedMs) / this.hourMs;
  }

  /** Stops simulated time (idempotent). */
  pause(): void {
    this.pausedAt ??= Date.now();
  }

  /** Lets simulated time run again. */
  resume(): void {
    if (this.pausedAt === undefined) return;
    this.pausedMs += Date.now() - this.pausedAt;
    this.pausedAt = undefined;
  }

  /** Real ms spent paused so far. */
  get pausedRealMs(): number {
    return this.pausedMs + (this.pausedAt === undefined ? 0 : Date.now() - this.pausedAt);
  }

  /** Resolves once simulated time reaches `h` (or `stop()` returns true). */
  async until(h: number, stop: () => boolean = () => false): Promise<void> {
    while (!stop() && this.nowH() < h) await sleep(Math.max(1, Math.min(POLL_MS, (h - this.nowH()) * this.hourMs)));
  }

  /** Waits `hours` of simulated time. */
  sleepH(hours: number, stop?: () => boolean): Promise<void> {
    return this.until(this.nowH() + hours, stop);
  }
}
