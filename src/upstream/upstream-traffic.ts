import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** Counters of one message type on one link on one day. Bytes are wire bytes unless named payload. */
export interface TrafficCounts {
  framesIn: number;
  framesOut: number;
  /** OCPP-J frame text as handed to / received from the WebSocket (uncompressed). */
  payloadBytesIn: number;
  payloadBytesOut: number;
  /** Bytes on the TCP connection attributed to this type: WebSocket framing and compression included. */
  wireBytesIn: number;
  wireBytesOut: number;
}

/** A UTC day as YYYY-MM-DD. */
export type DayKey = string;

export interface TrafficDay {
  day: DayKey;
  /** link -> message type -> counts. */
  links: Record<string, Record<string, TrafficCounts>>;
  total: TrafficCounts;
}

export interface BudgetView {
  /** Calendar month (UTC), YYYY-MM. */
  month: string;
  monthToDateBytes: number;
  /** monthToDateBytes extrapolated over the whole month from the time counted so far. */
  projectedBytes: number;
  budgetBytes?: number;
  overBudget: boolean;
}

export interface UpstreamTrafficDeps {
  clock: Clock;
  log: Logger;
  /** Wire bytes (in + out) per calendar month over all links; a warning is logged once a day when the projection exceeds it. */
  monthlyBudgetBytes?: number;
  /** Days of counters kept in memory. */
  keepDays?: number;
}

export interface TrafficRecord {
  link: string;
  direction: 'in' | 'out';
  action: string;
  frames: number;
  payloadBytes: number;
  wireBytes: number;
}

const DAY_MS = 86_400_000;

/**
 * Upstream data accounting for the whole site: per link, per message type and per UTC day,
 * in memory (a restart starts counting afresh; the budget projection only extrapolates from the
 * time actually counted).
 */
export class UpstreamTraffic {
  private readonly days = new Map<DayKey, TrafficDay>();
  private readonly startedMs: number;
  private lastWarnedDay: DayKey | undefined;

  constructor(private readonly deps: UpstreamTrafficDeps) {
    this.startedMs = deps.clock.nowMs();
  }

  record(r: TrafficRecord): void {
    const nowMs = this.deps.clock.nowMs();
    const day = this.day(dayKey(nowMs));
    const link = (day.links[r.link] ??= {});
    const counts = (link[r.action] ??= emptyCounts());
    for (const c of [counts, day.total]) {
      if (r.direction === 'in') {
        c.framesIn += r.frames;
        c.payloadBytesIn += r.payloadBytes;
        c.wireBytesIn += r.wireBytes;
      } else {
        c.framesOut += r.frames;
        c.payloadBytesOut += r.payloadBytes;
        c.wireBytesOut += r.wireBytes;
      }
    }
    if (r.wireBytes > 0) this.checkBudget(nowMs);
  }

  /** The counters, oldest day first. */
  snapshot(): TrafficDay[] {
    return [...this.days.values()].sort((a, b) => a.day.localeCompare(b.day)).map((d) => structuredClone(d));
  }

  budget(): BudgetView {
    const nowMs = this.deps.clock.nowMs();
    const now = new Date(nowMs);
    const monthStartMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const monthEndMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const month = dayKey(nowMs).slice(0, 7);
    let monthToDateBytes = 0;
    for (const d of this.days.values()) if (d.day.startsWith(month)) monthToDateBytes += d.total.wireBytesIn + d.total.wireBytesOut;
    const countedMs = Math.max(1, nowMs - Math.max(monthStartMs, this.startedMs));
    const projectedBytes = Math.round((monthToDateBytes * (monthEndMs - Math.max(monthStartMs, this.startedMs))) / countedMs);
    const budgetBytes = this.deps.monthlyBudgetBytes;
    return {
      month,
      monthToDateBytes,
      projectedBytes,
      ...(budgetBytes !== undefined ? { budgetBytes } : {}),
      overBudget: budgetBytes !== undefined && projectedBytes > budgetBytes,
    };
  }

  private checkBudget(nowMs: number): void {
    if (this.deps.monthlyBudgetBytes === undefined) return;
    const today = dayKey(nowMs);
    if (this.lastWarnedDay === today) return;
    // Extrapolating from the first minutes says little: wait for an hour of counting.
    if (nowMs - this.startedMs < 3_600_000) return;
    const b = this.budget();
    if (!b.overBudget) return;
    this.lastWarnedDay = today;
    this.deps.log.warn(
      { month: b.month, monthToDateBytes: b.monthToDateBytes, projectedBytes: b.projectedBytes, budgetBytes: b.budgetBytes },
      'upstream data budget: this month will exceed it at the current rate',
    );
  }

  private day(key: DayKey): TrafficDay {
    let d = this.days.get(key);
    if (!d) {
      d = { day: key, links: {}, total: emptyCounts() };
      this.days.set(key, d);
      this.forgetOldDays();
    }
    return d;
  }

  private forgetOldDays(): void {
    const keep = this.deps.keepDays ?? 62;
    const oldest = dayKey(this.deps.clock.nowMs() - keep * DAY_MS);
    for (const k of this.days.keys()) if (k < oldest) this.days.delete(k);
  }
}

export function dayKey(ms: number): DayKey {
  const last = lastDay;
  if (last !== undefined && ms >= last.fromMs && ms < last.fromMs + DAY_MS) return last.key;
  const key = new Date(ms).toISOString().slice(0, 10);
  lastDay = { fromMs: Math.floor(ms / DAY_MS) * DAY_MS, key };
  return key;
}

/** The day dayKey formatted last: every frame counted asks for it, nearly always the same day. */
let lastDay: { fromMs: number; key: DayKey } | undefined;

function emptyCounts(): TrafficCounts {
  return { framesIn: 0, framesOut: 0, payloadBytesIn: 0, payloadBytesOut: 0, wireBytesIn: 0, wireBytesOut: 0 };
}
