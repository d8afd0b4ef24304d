import { FakeClock } from '../src/util/fake-clock.js';
import { W1Csms } from './w1-csms.js';
import { RealHubSite } from './w1-real-hub.js';
const clock = new FakeClock(Date.UTC(2026, 0, 5));
const csms = new W1Csms({ perMessageDeflate: false });
csms.nowMs = () => clock.nowMs();
await csms.open;
const site = await RealHubSite.start({ csms, clock, upstream: { mode: process.argv[2] === 'proxy' ? 'proxy' : 'hub', compression: false, compressionThresholdBytes: 32, pingIntervalS: 60, batchWindowS: 0 } as never });
const up = site.hubUpstream();
const sock = (up?.link as unknown as { socket: import('ws').WebSocket }).socket;
sock.on('pong', () => console.error('HUB GOT PONG', clock.nowMs()));
sock.on('ping', () => console.error('HUB GOT PING', clock.nowMs()));
for (let i = 0; i < 3; i++) {
  clock.advanceMs(60_000);
  await new Promise((r) => setTimeout(r, 50));
  console.error('state', up?.link.state, csms.totals().connections);
}
await site.stop(); await csms.close();
