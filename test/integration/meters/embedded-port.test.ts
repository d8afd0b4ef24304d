import { describe, it, expect } from 'vitest';
import { startEmbeddedBroker } from '../../../src/meters/embedded-broker.js';
import { MeterHub } from '../../../src/meters/meter-hub.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

describe('the embedded broker port', () => {
  it('falls back to a free port when the configured one is taken, instead of failing to start', async () => {
    const squatter = await startEmbeddedBroker({ port: 0 });
    const hub = new MeterHub({ embeddedPort: squatter.port, meters: [], clock: new FakeClock(), log: silentLogger() });
    try {
      await hub.start();
      await hub.subscribed();
      expect(hub.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      expect(hub.brokerUrl).not.toBe(squatter.url);
    } finally {
      await hub.close();
      await squatter.close();
    }
  });

  it('uses the configured port when it is free', async () => {
    const probe = await startEmbeddedBroker({ port: 0 });
    const port = probe.port;
    await probe.close();
    const hub = new MeterHub({ embeddedPort: port, meters: [], clock: new FakeClock(), log: silentLogger() });
    try {
      await hub.start();
      expect(hub.brokerUrl).toBe(`mqtt://127.0.0.1:${port}`);
    } finally {
      await hub.close();
    }
  });
});
