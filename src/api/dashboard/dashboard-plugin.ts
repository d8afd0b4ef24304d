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
import type { Access } from '../access.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';

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
  /** With a configured token, /api/stream needs it (`Authorization: Bearer` or `?token=`, as EventSource cannot send headers). */
  access?: Access;
  /** False: a reader without the token is served, with id tokens masked (default true). */
  streamNeedsToken?: boolean;
  /** Live-stream readers in total and per source address. */
  maxReaders?: number;
  maxReadersPerAddress?: number;
}

/** Page routes stay out of the OpenAPI document. */
const HIDDEN = { schema: { hide: true } };

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'commissioning.js': 'text/javascript; charset=utf-8',
  'commissioning.css': 'text/css; charset=utf-8',
  'controls.js': 'text/javascript; charset=utf-8',
  'history.js': 'text/javascript; charset=utf-8',
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
    ...(opts.maxReaders !== undefined ? { maxViewers: opts.maxReaders } : {}),
    ...(opts.maxReadersPerAddress !== undefined ? { maxViewersPerAddress: opts.maxReadersPerAddress } : {}),
    ...(opts.provider?.facts ? { readFacts: opts.provider.facts } : {}),
    read: () =>
      buildSnapshot({
        site: opts.energy.site(),
        evses: opts.energy.evses(),
        stations: opts.queries.stations(),
        upstream: opts.queries.health().upstream,
        events: [],
        periodMs: opts.intervalMs ?? 1000,
        ...(opts.energy.siteCapacityW ? { siteLimitMaxW: opts.energy.siteCapacityW() } : {}),
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
  for (const name of Object.keys(ASSETS).filter((n) => n !== 'index.html')) {
    app.get(`/dashboard/${name}`, HIDDEN, async (_req, reply) => {
      const a = sendAsset(name);
      return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
    });
  }

  const streamNeedsToken = opts.access?.tokenConfigured === true && opts.streamNeedsToken !== false;
  const streamSchema = {
    schema: {
      tags: ['hub'],
      operationId: 'getLiveStream',
      summary: 'The dashboard snapshot as server-sent events (event `snapshot`, data: JSON), pushed every second while read',
      description:
        'Each event carries the whole snapshot (site power W import positive, circuits, EVSEs with their limits and sources, stations). A reader that hears nothing for two periods (`periodMs`) should treat the figures as not live. ' +
        'With a token configured the stream needs it (header, or `?token=` as EventSource cannot send headers) unless api.streamNeedsToken is false; id tokens are masked for readers without it.',
      security: (streamNeedsToken ? [{ bearerAuth: [] }, { queryToken: [] }] : [{}, { bearerAuth: [] }, { queryToken: [] }]) as Array<Record<string, string[]>>,
      response: {
        200: { description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        ...errors(401, 503),
      },
    },
  };
  app.get('/api/stream', streamSchema, (req, reply) => {
    const access = opts.access;
    if (access && streamNeedsToken && !access.hasToken(req, true)) {
      throw new ApiError('UNAUTHORIZED', 'the live stream needs the API token: Authorization: Bearer <token> or ?token=<token>');
    }
    const address = req.socket.remoteAddress ?? '';
    const refused = stream.refusal(address);
    if (refused) throw new ApiError('TOO_MANY_READERS', refused);
    reply.hijack();
    req.raw.socket.setNoDelay(true);
    stream.attach(reply.raw, { address, masked: access ? !access.seesPersonalData(req, true) : false });
  });

  app.addHook('onReady', async () => stream.start());
  // Open event streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => stream.stop());
};
