/**
 * Recent events and alarms for the dashboard: a small ring buffer, fed by comparing what the hub
 * reports now with what it reported last time (station connects, transactions, stale meters,
 * circuits on failsafe, guard corrections, rejected profile writes, site-limit overrides).
 */

import type { DashboardSnapshot } from './snapshot.js';

export type EventLevel = 'info' | 'warn' | 'alarm';

export interface DashboardEvent {
  atMs: number;
  level: EventLevel;
  text: string;
}

/** The facts whose changes are events. Built from a snapshot; compared pairwise. */
export interface EventFacts {
  connected: Set<string>;
  /** EVSE key -> transaction id. */
  transactions: Map<string, string>;
  /** EVSE key -> status, only for Faulted/Unavailable EVSEs. */
  faults: Map<string, string>;
  staleMeters: Set<string>;
  /** Meters with a fresh reading: a meter alarms when it goes from fresh to stale. */
  freshMeters: Set<string>;
  /** Circuit id -> why it is on failsafe. */
  staleCircuits: Map<string, string>;
  violations: Set<string>;
  /** The active override: `key` changes whenever it is set again; `text` describes it. */
  siteLimit?: { key: string; text: string };
  dispatchProblems: number;
}

export function emptyFacts(): EventFacts {
  return { connected: new Set(), transactions: new Map(), faults: new Map(), staleMeters: new Set(), freshMeters: new Set(), staleCircuits: new Map(), violations: new Set(), dispatchProblems: 0 };
}

/** What changed between two sets of facts, as events at `atMs`. Pure. */
export function diffFacts(prev: EventFacts, next: EventFacts, atMs: number): DashboardEvent[] {
  const out: DashboardEvent[] = [];
  const add = (level: EventLevel, text: string) => out.push({ atMs, level, text });
  for (const id of next.connected) if (!prev.connected.has(id)) add('info', `${id} connected`);
  for (const id of prev.connected) if (!next.connected.has(id)) add('warn', `${id} disconnected`);
  for (const [key, tx] of next.transactions) if (prev.transactions.get(key) !== tx) add('info', `${key}: transaction ${tx} started`);
  for (const [key, tx] of prev.transactions) if (next.transactions.get(key) !== tx) add('info', `${key}: transaction ${tx} ended`);
  for (const [key, status] of next.faults) if (prev.faults.get(key) !== status) add('alarm', `${key} is ${status}`);
  for (const id of next.staleMeters) if (prev.freshMeters.has(id)) add('alarm', `meter ${id} is stale`);
  for (const id of next.freshMeters) if (prev.staleMeters.has(id)) add('info', `meter ${id} reporting`);
  for (const [id, why] of next.staleCircuits) if (prev.staleCircuits.get(id) !== why) add('alarm', `circuit ${id} on failsafe: ${why}`);
  for (const id of prev.staleCircuits.keys()) if (!next.staleCircuits.has(id)) add('info', `circuit ${id} back to normal control`);
  for (const v of next.violations) if (!prev.violations.has(v)) add('alarm', `guard corrected: ${v}`);
  if (next.siteLimit?.key !== prev.siteLimit?.key) add('info', next.siteLimit ? `site limit set: ${next.siteLimit.text}` : 'site limit override cleared or expired');
  if (next.dispatchProblems > prev.dispatchProblems) add('warn', `${next.dispatchProblems - prev.dispatchProblems} charging-profile write(s) rejected or failed`);
  return out;
}

/** Keeps the last `capacity` events, newest last. */
export class EventLog {
  private readonly events: DashboardEvent[] = [];
  constructor(private readonly capacity = 50) {}

  add(events: readonly DashboardEvent[]): void {
    this.events.push(...events);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
  }

  list(): DashboardEvent[] {
    return [...this.events];
  }
}

/** The facts of a snapshot that events are made of. */
export function factsOf(s: DashboardSnapshot): EventFacts {
  const facts = emptyFacts();
  for (const st of s.stations) if (st.connected) facts.connected.add(st.id);
  for (const e of s.evses) {
    if (e.transaction) facts.transactions.set(e.key, e.transaction.id);
    if (e.connected && (e.status === 'Faulted' || e.status === 'Unavailable')) facts.faults.set(e.key, e.status);
  }
  for (const m of s.meters) (m.stale ? facts.staleMeters : facts.freshMeters).add(m.id);
  for (const c of s.circuits) if (c.stale) facts.staleCircuits.set(c.id, c.stale);
  for (const v of s.violations) facts.violations.add(v);
  if (s.siteLimit) facts.siteLimit = siteLimitFact(s.siteLimit);
  facts.dispatchProblems = s.dispatch.rejected + s.dispatch.failed;
  return facts;
}

/** The fact of a site-limit override: its key changes whenever it is set again. */
export function siteLimitFact(l: { powerW: number; untilMs: number; source: string }): NonNullable<EventFacts['siteLimit']> {
  return { key: `${l.powerW}/${l.untilMs}/${l.source}`, text: `${(l.powerW / 1000).toFixed(1)} kW by ${l.source}, until ${new Date(l.untilMs).toISOString().slice(11, 19)} UTC` };
}
