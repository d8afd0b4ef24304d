import { describe, it, expect } from 'vitest';
import { historyWindow, parseTime, timeWindow } from '../../../src/history/history-range.js';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const FINE_KEPT_MS = 2 * 86_400_000;

describe('history windows', () => {
  it('a named range ends now and gets a step of at most 720 points from the minute buckets', () => {
    expect(historyWindow({ range: '1h' }, NOW, FINE_KEPT_MS)).toEqual({ ok: true, fromMs: NOW - 3_600_000, toMs: NOW, stepS: 60, resolutionS: 60, siteOnly: false });
    expect(historyWindow({ range: '6h' }, NOW, FINE_KEPT_MS)).toMatchObject({ stepS: 60, resolutionS: 60 });
    expect(historyWindow({ range: '24h' }, NOW, FINE_KEPT_MS)).toMatchObject({ stepS: 120, resolutionS: 60 });
  });

  it('reads the 15-minute buckets for a window that begins before the minute buckets are kept', () => {
    expect(historyWindow({ range: '7d' }, NOW, FINE_KEPT_MS)).toMatchObject({ stepS: 900, resolutionS: 900 });
    expect(historyWindow({ from: String(NOW - 3 * 86_400_000), to: String(NOW - 2.5 * 86_400_000), step: 60 }, NOW, FINE_KEPT_MS)).toMatchObject({
      ok: false,
      field: 'querystring.step',
      reason: expect.stringMatching(/multiple of 900 s/),
    });
  });

  it('takes from/to as ISO 8601 or ms, to defaulting to now', () => {
    expect(historyWindow({ from: '2026-12-06T11:00:00Z' }, NOW, FINE_KEPT_MS)).toEqual({ ok: true, fromMs: NOW - 3_600_000, toMs: NOW, stepS: 60, resolutionS: 60, siteOnly: false });
    expect(historyWindow({ from: String(NOW - 7_200_000), to: String(NOW - 3_600_000), step: 300 }, NOW, FINE_KEPT_MS)).toEqual({ ok: true, fromMs: NOW - 7_200_000, toMs: NOW - 3_600_000, stepS: 300, resolutionS: 60, siteOnly: false });
  });

  it('refuses what it cannot answer, saying why', () => {
    const bad = (q: Parameters<typeof historyWindow>[0]) => historyWindow(q, NOW, FINE_KEPT_MS);
    expect(bad({ range: '1h', from: '2026-12-06T11:00:00Z' })).toMatchObject({ ok: false, field: 'querystring.range', reason: 'give either range or from (and to), not both' });
    expect(bad({ from: 'yesterday' })).toMatchObject({ ok: false, field: 'querystring.from', reason: expect.stringMatching(/not a time/) });
    expect(bad({ from: '2026-12-06T12:00:00Z', to: '2026-12-06T11:00:00Z' })).toMatchObject({ ok: false, reason: 'from must be before to' });
    expect(bad({ from: '2026-10-01T00:00:00Z' })).toMatchObject({ ok: false, reason: expect.stringMatching(/longer than 31 days/) });
    expect(bad({ range: '1h', step: 90 })).toMatchObject({ ok: false, field: 'querystring.step', reason: expect.stringMatching(/multiple of 60 s/) });
    expect(bad({ from: String(NOW - 30 * 86_400_000), step: 900 })).toMatchObject({ ok: false, field: 'querystring.step', reason: expect.stringMatching(/at most 2000/) });
  });

  it('parses times strictly', () => {
    expect(parseTime('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTime('2026-12-06')).toBe(Date.UTC(2026, 11, 6));
    expect(parseTime('12/06/2026')).toBeUndefined();
    expect(parseTime('2026-13-45T99:00:00Z')).toBeUndefined();
    expect(timeWindow({}, NOW, 86400, 86400 * 7)).toEqual({ ok: true, fromMs: NOW - 86_400_000, toMs: NOW });
  });
});
