/**
 * The real hub for W1 (startHub, SQLite in a temporary directory, on the benchmark's FakeClock)
 * with the 20 chargers configured, in proxy or hub mode towards the counting CSMS. In hub mode
 * it also plays the CSMS's side of the site (its calls name the site's EVSEs and the transaction
 * the CSMS saw start there) and drains the hub's outbox after each step, so that a step's
 * messages have gone upstream before the clock moves on; after every step it waits until the
 * links are quiet (see settle()).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteConfigSchema } from '../src/config/schema.js';
import { startHub, type RunningHub } from '../src/hub.js';
import { HubUpstream } from '../src/upstream/hub/hub-upstream.js';
import type { FakeClock } from '../src/util/fake-clock.js';
import { silentLogger } from '../src/util/logger.js';
import type { W1Csms } from './w1-csms.js';
import { getCompositeSchedule2x, setChargingProfile2x } from './w1-payloads.js';
import { stationIdOf, W1_EVSES, type W1Event } from './w1-workload.js';

export const SITE_IDENTITY = 'W1-SITE';

/** The `upstream` section of the site config, without url (and identity in hub mode). */
export type UpstreamSettings =
  | { mode: 'proxy'; compression: boolean; compressionThresholdBytes: number; pingIntervalS: number }
  | { mode: 'hub'; compression: boolean; compressionThresholdBytes: number; pingIntervalS: number; batchWindowS: number };

export interface RealHubOptions {
  csms: W1Csms;
  clock: FakeClock;
  upstream: UpstreamSettings;
}

/** Longest wait for the links to go quiet after a step, ms (then the difference is taken as settled). */
const SETTLE_LIMIT_MS = 500;

/** Checks, 1 ms apart, that must see the same byte counts before a step counts as quiet. */
const QUIET_CHECKS = 3;
/** Upstream call timeout on the simulated clock, s (10 steps). */
const UPSTREAM_CALL_TIMEOUT_S = 600;

export class RealHubSite {
  /** Byte differences that never resolve (a dropped connection's last bytes). */
  private readonly offset = { read: 0, written: 0 };
  /** Real time spent in settle(), ms, and how often it gave up. */
  settleWaitMs = 0;
  settleGaveUp = 0;

  private constructor(
    readonly hub: RunningHub,
    private readonly dir: string,
    private readonly opts: RealHubOptions,
  ) {}

  /** Starts the hub; in hub mode resolves once the site's link is up and its boot accepted. */
  static async start(opts: RealHubOptions): Promise<RealHubSite> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-w1-'));
    const config = siteConfigSchema.parse({
      server: { host: '127.0.0.1', port: 0, admitUnknownStations: true, pingIntervalS: 0 },
      api: { port: 0 },
      data: { dir },
      stations: Array.from({ length: W1_EVSES }, (_, evse) => ({ id: stationIdOf(evse), securityProfile: 0 })),
      // A simulated minute passes in milliseconds: a call answered in a few real ms may see the clock jump ahead.
      upstream: { ...opts.upstream, callTimeoutS: UPSTREAM_CALL_TIMEOUT_S, url: opts.csms.url, ...(opts.upstream.mode === 'hub' ? { identity: SITE_IDENTITY, version: '2.0.1' } : {}) },
    });
    const hub = await startHub({ config, configPath: join(dir, 'site.yaml'), log: silentLogger(), clock: opts.clock });
    const site = new RealHubSite(hub, dir, opts);
    const up = site.hubUpstream();
    if (up) await siteAccepted(up);
    return site;
  }

  /** The hub-mode upstream, or undefined in proxy mode. */
  hubUpstream(): HubUpstream | undefined {
    const u = this.hub.upstream;
    return u instanceof HubUpstream ? u : undefined;
  }

  /** Hub mode: waits until the outbox is empty (everything queued so far has gone upstream). */
  async drain(): Promise<void> {
    const up = this.hubUpstream();
    if (!up) return;
    for (let i = 0; i < 10_000; i++) {
      await up.pump.whenIdle();
      // A link that is down reconnects only when the simulated clock moves on: what is queued waits.
      if (up.pump.depth === 0 || up.gate.state !== 'connected') return;
      up.pump.kick();
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error(`hub outbox did not drain: ${up.pump.depth} messages left, link ${up.gate.state}`);
  }

  /**
   * After each step: waits until the link(s) are quiet, i.e. the hub has read every byte the
   * CSMS wrote and the CSMS every byte the hub wrote, nothing queued at the CSMS, all unchanged
   * over QUIET_CHECKS pauses of 1 ms (compression runs off the main thread). The simulated minute passes in a few real milliseconds; without
   * this a pong or an answer could arrive only after the clock has moved on, and the hub's
   * keep-alive would drop a live link. Hub-side bytes come from its upstream traffic counters.
   */
  async settle(): Promise<void> {
    const t0 = performance.now();
    let previous = '';
    let stable = 0;
    for (;;) {
      const csms = this.opts.csms.byteEnds();
      const hub = this.hubBytes();
      const unread = csms.written - hub.read - this.offset.read;
      const unwritten = csms.read - hub.written - this.offset.written;
      const now = `${csms.read}/${csms.written}/${hub.read}/${hub.written}`;
      stable = now === previous && this.opts.csms.bufferedBytes() === 0 ? stable + 1 : 0;
      if (unread <= 0 && unwritten <= 0 && stable >= QUIET_CHECKS) break;
      if (performance.now() - t0 > SETTLE_LIMIT_MS) {
        // Bytes of a connection that was dropped never match: take the difference as settled.
        this.offset.read += Math.max(0, unread);
        this.offset.written += Math.max(0, unwritten);
        this.settleGaveUp++;
        break;
      }
      previous = now;
      await new Promise((r) => setTimeout(r, 1));
    }
    this.settleWaitMs += performance.now() - t0;
  }

  /** Wire bytes the hub has read and written on its upstream links (its own traffic counters). */
  private hubBytes(): { read: number; written: number } {
    const days = this.hub.upstream?.view().traffic ?? [];
    return days.reduce((sum, d) => ({ read: sum.read + d.total.wireBytesIn, written: sum.written + d.total.wireBytesOut }), { read: 0, written: 0 });
  }

  /** Hub mode: the CSMS's call about one of the site's EVSEs, as a 2.0.1 CSMS sends it. */
  async csmsEvent(e: Extract<W1Event, { kind: 'csms' }>): Promise<void> {
    const up = this.hubUpstream();
    if (!up) throw new Error('csmsEvent is for hub mode');
    await this.drain(); // a CSMS calls about a transaction it has seen start
    const stationId = stationIdOf(e.evse);
    const entry = up.states.state.mapping.entries.find((m) => m.stationId === stationId && m.evseId === 1);
    if (!entry) throw new Error(`${stationId} is not mapped upstream`);
    const evseId = entry.upstreamEvseId;
    const payload =
      e.action === 'SetChargingProfile'
        ? setChargingProfile2x(evseId, this.opts.csms.lastTransactionIdOfEvse(evseId) ?? 'unknown', e.profileId ?? 1)
        : getCompositeSchedule2x(evseId);
    await this.opts.csms.call(SITE_IDENTITY, e.action, payload);
  }

  async stop(): Promise<void> {
    try {
      await this.hub.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function siteAccepted(up: HubUpstream): Promise<void> {
  return new Promise((resolve) => {
    if (up.gate.state === 'connected') return resolve();
    const off = up.gate.onState((s) => {
      if (s !== 'connected') return;
      off();
      resolve();
    });
  });
}
