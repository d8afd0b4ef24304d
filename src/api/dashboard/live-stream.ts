import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { diffFacts, emptyFacts, EventLog, factsOf, type EventFacts } from './event-log.js';
import type { DashboardSnapshot } from './snapshot.js';
import { maskIdToken } from '../access.js';

export interface LiveStreamDeps {
  clock: Clock;
  log: Logger;
  /** Reads the hub's state now (its `events` are filled in by the stream). */
  read(): DashboardSnapshot;
  /**
   * The facts events are made of, read without building a snapshot (cheap at thousands of
   * EVSEs). With it, a tick while nobody watches builds no snapshot, and every tick takes its
   * facts from here; without it they come from the snapshot (factsOf), built at every tick.
   */
  readFacts?(): EventFacts;
  /** Push period while someone watches, ms. */
  intervalMs?: number;
  /** Period of the event watch while nobody watches, ms. */
  idleIntervalMs?: number;
  /** A change pushes at most this soon after it was signalled, ms. */
  changeDelayMs?: number;
  /** Viewers at once, in total and per source address (defaults 32 and 4). */
  maxViewers?: number;
  maxViewersPerAddress?: number;
}

interface Viewer {
  res: ServerResponse;
  address: string;
  /** Sees id tokens masked (a caller without the right to personal data). */
  masked: boolean;
  /** The socket's buffer is full: skip snapshots until it drains (a slow client loses frames, not memory). */
  blocked: boolean;
}

/**
 * Server-sent events for the dashboard: one `snapshot` event per period to every viewer, and
 * soon after a change. One timer for all viewers (through the Clock); a viewer that goes away is
 * dropped on its socket's close. The event log is fed on every tick, watched or not.
 */
export class LiveStream {
  private readonly viewers = new Set<Viewer>();
  private readonly events = new EventLog(50);
  private facts: EventFacts = emptyFacts();
  private timer: TimerHandle | undefined;
  private changeTimer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly deps: LiveStreamDeps) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Stops the timers and ends every stream (so that the HTTP server can close). */
  stop(): void {
    this.running = false;
    this.deps.clock.clearTimeout(this.timer);
    this.deps.clock.clearTimeout(this.changeTimer);
    this.timer = this.changeTimer = undefined;
    for (const v of this.viewers) v.res.end();
    this.viewers.clear();
  }

  /** Something changed in the hub: push soon (coalesced), if anyone watches. */
  changed(): void {
    if (!this.running || this.viewers.size === 0 || this.changeTimer) return;
    this.changeTimer = this.deps.clock.setTimeout(() => {
      this.changeTimer = undefined;
      this.push();
    }, this.deps.changeDelayMs ?? 300);
  }

  /** Why one more viewer from this address is refused (a cap is reached), or undefined. */
  refusal(address: string): string | undefined {
    const max = this.deps.maxViewers ?? 32;
    if (this.viewers.size >= max) return `the live stream has its maximum of ${max} readers`;
    const perAddress = this.deps.maxViewersPerAddress ?? 4;
    let fromAddress = 0;
    for (const v of this.viewers) if (v.address === address) fromAddress += 1;
    if (fromAddress >= perAddress) return `at most ${perAddress} live-stream readers per address`;
    return undefined;
  }

  /** Takes over a response as an event stream: headers, the current snapshot, then updates. */
  attach(res: ServerResponse, who: { address: string; masked: boolean } = { address: '', masked: false }): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const viewer: Viewer = { res, blocked: false, address: who.address, masked: who.masked };
    const wasIdle = this.viewers.size === 0;
    this.viewers.add(viewer);
    const drop = () => this.viewers.delete(viewer);
    res.on('close', drop);
    res.on('error', drop);
    res.on('drain', () => {
      viewer.blocked = false;
    });
    res.write('retry: 2000\n\n');
    const snapshot = this.snapshot();
    if (snapshot) this.send(viewer, frame(viewer.masked ? masked(snapshot) : snapshot));
    if (wasIdle && this.running) {
      // Leave the idle period for the watched one.
      this.deps.clock.clearTimeout(this.timer);
      this.timer = this.deps.clock.setTimeout(() => this.tick(), this.deps.intervalMs ?? 1000);
    }
  }

  /** The current snapshot with the recent events, after feeding the event log. */
  snapshot(): DashboardSnapshot | undefined {
    try {
      const s = this.deps.read();
      this.observe(s.nowMs, s);
      return { ...s, events: this.events.list(), viewers: this.viewers.size };
    } catch (err) {
      this.deps.log.error({ err }, 'dashboard snapshot failed');
      return undefined;
    }
  }

  /** Feeds the event log with what changed since the last look. */
  private observe(nowMs: number, s?: DashboardSnapshot): void {
    const facts = this.deps.readFacts ? this.deps.readFacts() : factsOf(s ?? this.deps.read());
    this.events.add(diffFacts(this.facts, facts, nowMs));
    this.facts = facts;
  }

  private tick(): void {
    if (!this.running) return;
    this.push();
    const delayMs = this.viewers.size > 0 ? (this.deps.intervalMs ?? 1000) : (this.deps.idleIntervalMs ?? 5000);
    this.timer = this.deps.clock.setTimeout(() => this.tick(), delayMs);
  }

  private push(): void {
    if (this.viewers.size === 0) {
      // Nobody watches: only the event log is fed (no snapshot when the facts can be read alone).
      try {
        this.observe(this.deps.clock.nowMs());
      } catch (err) {
        this.deps.log.error({ err }, 'dashboard event watch failed');
      }
      return;
    }
    const snapshot = this.snapshot();
    if (!snapshot || this.viewers.size === 0) return;
    const data = frame(snapshot);
    let maskedData: string | undefined;
    for (const v of this.viewers) {
      if (v.masked) maskedData ??= frame(masked(snapshot));
      this.send(v, v.masked ? (maskedData as string) : data);
    }
  }

  private send(viewer: Viewer, data: string): void {
    if (viewer.blocked || viewer.res.destroyed || viewer.res.writableEnded) return;
    if (!viewer.res.write(data)) viewer.blocked = true;
  }
}

/** The snapshot without personal data: transaction id tokens masked. */
function masked(snapshot: DashboardSnapshot): DashboardSnapshot {
  return {
    ...snapshot,
    evses: snapshot.evses.map((e) => (e.transaction?.idToken === undefined ? e : { ...e, transaction: { ...e.transaction, idToken: maskIdToken(e.transaction.idToken) } })),
  };
}

function frame(snapshot: DashboardSnapshot): string {
  return `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;
}
