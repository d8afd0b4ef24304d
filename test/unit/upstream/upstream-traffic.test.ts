import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import fc from 'fast-check';
import { UpstreamTraffic, dayKey } from '../../../src/upstream/upstream-traffic.js';
import { WireCounter } from '../../../src/upstream/wire-counter.js';
import { pino } from 'pino';
import { silentLogger, type Logger } from '../../../src/util/logger.js';

function recordingLogger(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(String((JSON.parse(line) as { msg?: string }).msg)) });
  return { log, warnings };
}

describe('dayKey', () => {
  it('is the UTC date of any instant, whatever was asked before (it keeps the last day)', () => {
    const instant = fc.integer({ min: -8.64e15, max: 8.64e15 });
    const nearMidnight = fc.tuple(fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: -2, max: 1 })).map(([day, ms]) => day * 86_400_000 + ms);
    fc.assert(
      fc.property(fc.array(fc.oneof(instant, nearMidnight), { minLength: 1, maxLength: 30 }), (instants) => {
        for (const ms of instants) expect(dayKey(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
      }),
    );
  });
});

describe('upstream traffic accounting', () => {
  it('counts frames and bytes per link, message type and UTC day', () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 1, 23, 0));
    const t = new UpstreamTraffic({ clock, log: silentLogger() });
    t.record({ link: 'A', direction: 'out', action: 'Heartbeat', frames: 1, payloadBytes: 30, wireBytes: 20 });
    clock.advanceMs(2 * 3_600_000);
    t.record({ link: 'A', direction: 'in', action: 'Heartbeat', frames: 1, payloadBytes: 60, wireBytes: 40 });
    const days = t.snapshot();
    expect(days.map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02']);
    expect(days[0]?.links['A']?.['Heartbeat']).toMatchObject({ framesOut: 1, payloadBytesOut: 30, wireBytesOut: 20 });
    expect(days[1]?.total).toMatchObject({ framesIn: 1, wireBytesIn: 40 });
  });

  it('projects the month from the time counted and warns once a day when the budget will be exceeded', () => {
    const clock = new FakeClock(Date.UTC(2026, 3, 1, 0, 0)); // April: 30 days
    const { log, warnings } = recordingLogger();
    const t = new UpstreamTraffic({ clock, log, monthlyBudgetBytes: 30_000_000 });
    clock.advanceMs(86_400_000); // one day counted
    t.record({ link: 'A', direction: 'out', action: 'MeterValues', frames: 1, payloadBytes: 900_000, wireBytes: 900_000 });
    expect(t.budget()).toMatchObject({ monthToDateBytes: 900_000, projectedBytes: 27_000_000, overBudget: false });
    expect(warnings).toEqual([]);
    t.record({ link: 'A', direction: 'out', action: 'MeterValues', frames: 1, payloadBytes: 200_000, wireBytes: 200_000 });
    t.record({ link: 'A', direction: 'out', action: 'MeterValues', frames: 1, payloadBytes: 1, wireBytes: 1 });
    expect(t.budget().overBudget).toBe(true);
    expect(warnings).toHaveLength(1);
  });

  it('attributes socket bytes to frames: read bytes to the frame read, written bytes to the frame sent before', () => {
    const clock = new FakeClock();
    const traffic = new UpstreamTraffic({ clock, log: silentLogger() });
    const socket = { bytesRead: 129, bytesWritten: 250 };
    const c = new WireCounter({ link: 'L', traffic, socket });
    c.opened();
    c.record('out', 'BootNotification', 120);
    socket.bytesWritten += 70; // compressed frame written after the send call
    socket.bytesRead += 40;
    c.record('in', 'BootNotification', 90);
    c.record('out', 'Heartbeat', 25);
    socket.bytesWritten += 15;
    c.flush();
    const links = traffic.snapshot()[0]?.links['L'];
    expect(links?.['(handshake)']).toMatchObject({ wireBytesIn: 129, wireBytesOut: 250 });
    expect(links?.['BootNotification']).toMatchObject({ framesOut: 1, framesIn: 1, payloadBytesOut: 120, wireBytesOut: 70, wireBytesIn: 40 });
    expect(links?.['Heartbeat']).toMatchObject({ framesOut: 1, wireBytesOut: 15 });
  });
});
