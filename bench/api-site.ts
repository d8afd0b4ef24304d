/**
 * `GET /api/site`, `GET /api/health` and `GET /metrics` at N declared EVSEs (the `scale` benchmark's declared
 * site: rows of 50 one-EVSE stations under one main), in process: a real hub (startHub) on a
 * loopback port, read over HTTP with fetch, a new control decision before every read (new
 * decision objects, as under traffic). Three cases between reads: nothing else changes; 2 % of
 * the EVSEs get another operation mode (their rows change, and the modes are rebuilt); 2 % get
 * another max current (their limits change). (Fewer would not show; more makes the run long:
 * each operator change is its own committed write.) The changes go through the REST API
 * (PATCH, one after the other) and each answer is timed too. Baseline in the same run: the same site view
 * serialized by fastify with the route's response schema, every row every time (what the route
 * did before its rows were kept), timed in process without HTTP.
 * For /metrics also: the hub's own scrape (wall and CPU time, from a wrapper around HubMetrics.scrape) and
 * the longest event-loop turn while it was read (monitorEventLoopDelay max; the client runs in the same process).
 * First of all, the first `GET /metrics` after a restart: a hub is started once to store an energy
 * register for every EVSE, stopped, and started again on the same data; its first scrape builds
 * every line and reads the stored registers (timed once: a single read, so it scatters).
 * BENCH_API_SITE_N (default 5000) and BENCH_API_SITE_ROUNDS (default 30) set the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { parseSiteConfig } from '../src/config/load.js';
import { startHub, type RunningHub } from '../src/hub.js';
import { energyQueries } from '../src/energy-queries-impl.js';
import { site as siteSchema } from '../src/api/schemas.js';
import { silentLogger } from '../src/util/logger.js';
import { systemClock } from '../src/util/clock.js';
import { declaredSiteYaml } from './decide-scale.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { percentile } from './stats.js';

const N = Number(process.env['BENCH_API_SITE_N'] ?? 5000);
const ROUNDS = Number(process.env['BENCH_API_SITE_ROUNDS'] ?? 30);

type Change = 'nothing' | 'modes' | 'max currents';

async function getMs(hub: RunningHub, path: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(`${hub.apiUrl}${path}`);
  const body = await res.arrayBuffer();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
  return { ms, bytes: body.byteLength };
}

/**
 * Changes 2 % of the EVSEs (a different fiftieth each round) as an operator does, through
 * `PATCH /api/evses/:stationId/:evseId` one after the other; returns how long each answer took.
 */
async function change(hub: RunningHub, what: Change, round: number): Promise<number[]> {
  if (what === 'nothing') return [];
  const evses = hub.energy.site.evses;
  const took: number[] = [];
  for (let i = round % 50; i < evses.length; i += 50) {
    const [stationId, evseId] = (evses[i] as { key: string }).key.split('/');
    const body = what === 'modes' ? { mode: round % 2 === 0 ? 'Idle' : 'LocalLoadBalancing' } : { maxCurrentA: round % 2 === 0 ? 10 : 12 };
    const t = performance.now();
    const res = await fetch(`${hub.apiUrl}/api/evses/${stationId}/${evseId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    took.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`PATCH answered ${res.status}`);
  }
  return took;
}

export const benchmark: Benchmark = {
  name: 'api-site',
  workload: 'W2',
  title: `GET /api/site, /api/health and /metrics at ${N} declared EVSEs, in process over loopback HTTP`,
  async run(progress): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-api-'));
    const config = parseSiteConfig(`mqtt: { embeddedPort: 0 }\n${declaredSiteYaml(N)}`, 'bench-site.yaml');
    config.server.port = 0;
    config.server.host = '127.0.0.1';
    config.api.port = 0;
    config.api.host = '127.0.0.1';
    config.data.dir = dir;
    const seeding = await startHub({ config, configPath: join(dir, 'bench-site.yaml'), log: silentLogger() });
    for (const [i, e] of seeding.energy.site.evses.entries()) {
      const [stationId, evseId] = e.key.split('/');
      seeding.energy.totals.registers.observe(String(stationId), Number(evseId), [{ timeMs: Date.now(), sampledValues: [{ value: 1000 + i, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }]);
    }
    await seeding.stop();
    const hub = await startHub({ config, configPath: join(dir, 'bench-site.yaml'), log: silentLogger() });
    const plain = Fastify();
    const view = energyQueries(hub.energy, systemClock());
    const rows: BenchRow[] = [];
    let bytes = 0;
    try {
      // The baseline: fastify's serializer for the route's schema over the same view.
      let serialize: ((data: Record<string, unknown>) => string) | undefined;
      plain.get('/x', async (_req, reply) => {
        serialize = reply.compileSerializationSchema(siteSchema);
        return 'ok';
      });
      await plain.inject({ method: 'GET', url: '/x' });
      if (!serialize) throw new Error('no serializer');
      const schemaText = serialize;
      // The hub's own part of a GET /metrics (HubMetrics.scrape: one event-loop turn, its parts run as microtasks).
      // Its CPU time too (process.cpuUsage: every thread of the process, GC helpers included), less
      // sensitive than wall time to other processes on a busy machine.
      let scrapeMs = 0;
      let scrapeCpuMs = 0;
      const scrape = hub.metrics.scrape.bind(hub.metrics);
      hub.metrics.scrape = async () => {
        const t = performance.now();
        const cpu = process.cpuUsage();
        try {
          return await scrape();
        } finally {
          scrapeMs = performance.now() - t;
          const used = process.cpuUsage(cpu);
          scrapeCpuMs = (used.user + used.system) / 1000;
        }
      };
      progress(`${N} EVSEs: the first GET /metrics after a restart (a register stored for every EVSE)`);
      const first = await getMs(hub, '/metrics');
      rows.push(
        { metric: `GET /metrics, ${N} EVSEs, first after a restart (registers stored)`, value: first.ms, unit: 'ms', digits: 1 },
        { metric: `GET /metrics, ${N} EVSEs, first after a restart: the hub's scrape`, value: scrapeMs, unit: 'ms', digits: 1 },
        { metric: `GET /metrics, ${N} EVSEs, first after a restart: the hub's scrape, CPU time`, value: scrapeCpuMs, unit: 'ms', digits: 1 },
      );
      for (const what of ['nothing', 'modes', 'max currents'] as const) {
        progress(`${N} EVSEs, ${what} changed between reads: ${ROUNDS} reads`);
        const site: number[] = [];
        const health: number[] = [];
        const metrics: number[] = [];
        const scrapes: number[] = [];
        const scrapeCpu: number[] = [];
        let loopMaxMs = 0;
        const baseline: number[] = [];
        const changes: number[] = [];
        for (let i = 0; i < ROUNDS + 3; i++) {
          const changed = await change(hub, what, i);
          hub.energy.controller.decideNow('bench');
          const s = await getMs(hub, '/api/site');
          const hl = await getMs(hub, '/api/health');
          // The longest event-loop turn while /metrics is read (1 ms resolution; includes the in-process client's turns).
          const loop = monitorEventLoopDelay({ resolution: 1 });
          loop.enable();
          const m = await getMs(hub, '/metrics');
          loop.disable();
          const t = performance.now();
          Buffer.byteLength(schemaText(view.site() as unknown as Record<string, unknown>));
          const b = performance.now() - t;
          if (i < 3) continue;
          changes.push(...changed);
          site.push(s.ms);
          health.push(hl.ms);
          metrics.push(m.ms);
          scrapes.push(scrapeMs);
          scrapeCpu.push(scrapeCpuMs);
          loopMaxMs = Math.max(loopMaxMs, loop.max / 1e6);
          baseline.push(b);
          bytes = s.bytes;
        }
        const label = `${N} EVSEs, ${what} changed`;
        rows.push(
          { metric: `GET /api/site, ${label}: median`, value: percentile(site, 50), unit: 'ms', digits: 2, baseline: { label: 'schema serializer, every row', value: percentile(baseline, 50) } },
          { metric: `GET /api/site, ${label}: slowest`, value: Math.max(...site), unit: 'ms', digits: 2 },
          { metric: `GET /api/health, ${label}: median`, value: percentile(health, 50), unit: 'ms', digits: 2 },
          { metric: `GET /api/health, ${label}: slowest`, value: Math.max(...health), unit: 'ms', digits: 2 },
          { metric: `GET /metrics, ${label}: median`, value: percentile(metrics, 50), unit: 'ms', digits: 2 },
          { metric: `GET /metrics, ${label}: slowest`, value: Math.max(...metrics), unit: 'ms', digits: 2 },
          { metric: `GET /metrics, ${label}: longest event-loop turn (delay max)`, value: loopMaxMs, unit: 'ms', digits: 1 },
          { metric: `GET /metrics, ${label}: the hub's scrape (HubMetrics.scrape), median`, value: percentile(scrapes, 50), unit: 'ms', digits: 2 },
          { metric: `GET /metrics, ${label}: the hub's scrape, CPU time, median`, value: percentile(scrapeCpu, 50), unit: 'ms', digits: 2 },
        );
        if (changes.length > 0) {
          rows.push(
            { metric: `PATCH /api/evses/…, ${label}: median`, value: percentile(changes, 50), unit: 'ms', digits: 2 },
            { metric: `PATCH /api/evses/…, ${label}: slowest`, value: Math.max(...changes), unit: 'ms', digits: 2 },
            { metric: `PATCH /api/evses/…, ${label}: total of ${changes.length}`, value: changes.reduce((a, b) => a + b, 0) / 1000, unit: 's', digits: 2 },
          );
        }
      }
    } finally {
      await plain.close();
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return { rows, notes: [`${ROUNDS} reads of each after 3 warm-up ones; a decision before each read; answer ${(bytes / 1e6).toFixed(2)} MB; the client (fetch) runs in the same process.`] };
  },
};
