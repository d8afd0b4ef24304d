import { describe, expect, it } from 'vitest';
import { defaultMaxConnections } from '../../../src/config/connection-limit.js';
import { parseSiteConfig } from '../../../src/config/load.js';

describe('the OCPP connection limit', () => {
  it('defaults to 1,000, or the declared stations plus a quarter (at least 100) when more are declared', () => {
    expect(defaultMaxConnections(0)).toBe(1000);
    expect(defaultMaxConnections(800)).toBe(1000);
    expect(defaultMaxConnections(900)).toBe(1125);
    expect(defaultMaxConnections(1000)).toBe(1250);
    expect(defaultMaxConnections(2000)).toBe(2500);
    expect(defaultMaxConnections(5000)).toBe(6250);
  });

  it('never refuses a declared station for want of room, whatever the number declared', () => {
    for (let n = 0; n <= 20_000; n += 37) expect(defaultMaxConnections(n)).toBeGreaterThanOrEqual(n + 100);
  });

  it('is left to that default when the config does not set it, and kept when it does', () => {
    expect(parseSiteConfig('server: { limits: { maxPending: 50 } }\n', 'a.yaml').server.limits.maxConnections).toBeUndefined();
    expect(parseSiteConfig('{}\n', 'b.yaml').server.limits.maxConnections).toBeUndefined();
    expect(parseSiteConfig('server: { limits: { maxConnections: 3 } }\n', 'c.yaml').server.limits).toMatchObject({ maxConnections: 3, maxPending: 200 });
  });
});
