/**
 * The live dashboard: serves the page (plain HTML, CSS and one ES module, no build step, no CDN)
 * at `/` and its live state as server-sent events at `/api/stream`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { systemClock, type Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { EnergyQueries } from '../energy-queries.js';
import type { HubQueries } from '../hub-queries.js';
import type { DashboardProvider } from './dashboard-provider.js';
import { LiveStream } from './live-stream.js';
import { buildSnapshot } from './snapshot.js';

export interface DashboardOptions {
  queries: HubQueries;
  energy: EnergyQueries;
  log: Logger;
  /** What only the hub knows (circuit tree, meter roles, measured current, change signal). */
  provider?: DashboardProvider;
  /** Drives the stream's timers; the system clock when absent. */
  clock?: Clock;
  /** Push period while someone watches, ms (default 1000). */
  intervalMs?: number;
}

/** Page routes stay out of the OpenAPI document. */
const HIDDEN = { schema: { hide: true } };

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

/** The page files sit next to this module: in the sources, and in dist/ (the build copies them there). */
function assetDir(): string {
  const dir = new URL('./assets/', import.meta.url);
  if (existsSync(new URL('index.html', dir))) return fileURLToPath(dir);
  throw new Error(`dashboard assets not found in ${fileURLToPath(dir)} (a build copies them there: npm run build)`);
}

function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = assetDir();
  return new Map(Object.entries(ASSETS).map(([name, type]) => [name, { body: readFileSync(dir + name), type }]));
}

export const dashboardPlugin: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  const assets = loadAssets();
  const stream = new LiveStream({
    clock: opts.clock ?? systemClock(),
    log: opts.log,
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    read: () =>
      buildSnapshot({
        site: opts.energy.site(),
        evses: opts.energy.evses(),
        stations: opts.queries.stations(),
        upstream: opts.queries.health().upstream,
        events: [],
        ...(opts.provider ? { provider: opts.provider } : {}),
      }),
  });
  opts.provider?.onChange?.(() => stream.changed());

  const sendAsset = (name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`no dashboard asset ${name}`);
    return asset;
  };
  app.get('/', HIDDEN, async (_req, reply) => {
    const a = sendAsset('index.html');
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });
  for (const name of ['style.css', 'app.js']) {
    app.get(`/dashboard/${name}`, HIDDEN, async (_req, reply) => {
      const a = sendAsset(name);
      return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
    });
  }

  app.get('/api/stream', HIDDEN, (req, reply) => {
    reply.hijack();
    req.raw.socket.setNoDelay(true);
    stream.attach(reply.raw);
  });

  app.addHook('onReady', async () => stream.start());
  // Open event streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => stream.stop());
};
