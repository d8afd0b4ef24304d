import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { LiveStream } from '../../../src/api/dashboard/live-stream.js';
import { emptyFacts, type EventFacts } from '../../../src/api/dashboard/event-log.js';
import type { DashboardSnapshot } from '../../../src/api/dashboard/snapshot.js';

function snapshotAt(nowMs: number): DashboardSnapshot {
  return {
    nowMs, siteName: 's', upstream: 'none', stations: [], periodMs: 1000, power: { evW: 0 }, meters: [], circuits: [], evses: [],
    dispatch: { writes: 0, accepted: 0, rejected: 0, failed: 0 }, violations: [], events: [], viewers: 0,
  };
}

/** A response that keeps what was written (the stream writes server-sent events to it). */
function fakeResponse(): ServerResponse & { written: string[] } {
  const res = new EventEmitter() as unknown as ServerResponse & { written: string[] };
  res.written = [];
  Object.assign(res, { destroyed: false, writableEnded: false, writeHead: () => res, write: (d: string) => (res.written.push(d), true), end: () => undefined });
  return res;
}

describe('the dashboard stream while nobody watches', () => {
  it('feeds the event log from the facts alone and builds a snapshot only for a reader', () => {
    const clock = new FakeClock();
    let reads = 0;
    let facts: EventFacts = emptyFacts();
    const stream = new LiveStream({
      clock, log: silentLogger(), idleIntervalMs: 5000,
      read: () => (reads++, snapshotAt(clock.nowMs())),
      readFacts: () => facts,
    });
    stream.start();
    facts = emptyFacts();
    facts.connected.add('CP1');
    clock.advanceMs(5000);
    clock.advanceMs(5000);
    expect(reads).toBe(0);

    const res = fakeResponse();
    stream.attach(res);
    expect(reads).toBe(1);
    const sent = res.written.find((w) => w.startsWith('event: snapshot')) ?? '';
    const snapshot = JSON.parse(sent.slice(sent.indexOf('data: ') + 6)) as DashboardSnapshot;
    expect(snapshot.events.map((e) => e.text)).toEqual(['CP1 connected']);
    stream.stop();
  });

  it('without a facts reader still builds the snapshot to find what changed', () => {
    const clock = new FakeClock();
    let reads = 0;
    const stream = new LiveStream({ clock, log: silentLogger(), idleIntervalMs: 5000, read: () => (reads++, snapshotAt(clock.nowMs())) });
    stream.start();
    clock.advanceMs(5000);
    expect(reads).toBe(2);
    stream.stop();
  });
});
