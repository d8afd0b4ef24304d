import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { energyQueries } from '../../../src/energy-queries-impl.js';
import { hubQueries } from '../../../src/evse/hub-queries-impl.js';
import { healthReasons } from '../../../src/api/health-reasons.js';
import { site as siteSchema } from '../../../src/api/schemas.js';
import { profileAcceptingStation16, startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { apiClient } from './api-client.js';

/**
 * GET /api/site is assembled from kept parts and /api/health reads light inputs; both must still
 * answer exactly what their OpenAPI document says, on a real hub: a charging station, an EVSE
 * whose mode a cron rule sets, a station that went away, one never seen, a meter that goes stale.
 * Each answer is validated (ajv) against the schema in the served OpenAPI document, closed (no
 * field the document does not name), and /api/site is compared with what fastify's serializer
 * makes from a view built afresh at the same instant.
 */
const TOKEN = 'site-schema-token-0123456789';
const SITE = `
api: { token: ${TOKEN} }
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 40, meter: grid, worstCaseNonEvA: 10 }
meters:
  - id: grid
    role: grid
    staleAfterS: 30
    readings:
      - { quantity: powerW, topic: site-schema-test/grid, path: powerW }
stations:
  - { id: HOME, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, minCurrentA: 6, maxCurrentA: 16 }] }
  - { id: NIGHT, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 1, minCurrentA: 8, maxCurrentA: 32, priority: 2 }] }
  - { id: AWAY, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }, { id: 2, circuit: main, phases: 3, maxCurrentA: 16 }] }
strategies:
  - { type: load-balancing }
rules:
  timezone: UTC
  list:
    - { id: always-external, cron: '0 0 * * *', durationMin: 1440, modes: { NIGHT/1: ExternalLimits } }
`;

let h: Harness;
let clock: FakeClock;
let home: RPCClient;
let api: ReturnType<typeof apiClient>;
let plain: FastifyInstance;
let validateSite: ValidateFunction;
let validateHealth: ValidateFunction;

/** A copy of an OpenAPI 3.0 schema in which every object with named properties allows no others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

async function publishGrid(powerW: number): Promise<void> {
  const meters = h.hub.energy.meters;
  if (!meters) throw new Error('no meter hub');
  const got = new Promise<void>((resolve) => {
    const off = meters.onReading(() => {
      off();
      resolve();
    });
  });
  await meters.publish('site-schema-test/grid', JSON.stringify({ powerW }));
  await got;
}

/** A station that answers the hub's profile writes. */
function station(id: string): Promise<RPCClient> {
  return profileAcceptingStation16(h.hub.ocppUrl, id);
}

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  api = apiClient(h.hub.api, TOKEN);
  await h.hub.energy.meters?.subscribed();
  await publishGrid(500);
  home = await station('HOME');
  const ts = () => new Date(clock.nowMs()).toISOString();
  const { transactionId } = (await home.call('StartTransaction', { connectorId: 1, idTag: 'CAR', meterStart: 0, timestamp: ts() })) as { transactionId: number };
  await home.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [{ timestamp: ts(), sampledValue: ['L1', 'L2', 'L3'].map((phase) => ({ value: '9.5', measurand: 'Current.Import', phase, unit: 'A' })) }],
  });
  const away = await station('AWAY');
  await away.close();
  clock.advanceMs(200);

  const doc = (await api.get<{ paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>> }>('/docs/json'));
  const schemaOf = (path: string) => closed(doc.paths[path]?.['get']?.responses['200']?.content['application/json']?.schema) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  validateSite = ajv.compile(schemaOf('/api/site'));
  validateHealth = ajv.compile(schemaOf('/api/health'));

  // What fastify makes of a site view with the route's schema, the way the route answered before.
  plain = Fastify();
  const fresh = () => energyQueries(h.hub.energy, clock).site();
  plain.get('/api/site', { schema: { response: { 200: siteSchema } } }, async () => fresh());
  await plain.ready();
});

afterAll(async () => {
  await home?.close();
  await plain?.close();
  await h?.stop();
});

async function siteAnswer(): Promise<{ text: string; contentType: string | undefined }> {
  const res = await h.hub.api.inject({ method: 'GET', url: '/api/site' });
  expect(res.statusCode).toBe(200);
  return { text: res.body, contentType: res.headers['content-type'] as string | undefined };
}

async function expectSiteAsBuiltAfresh(): Promise<unknown> {
  const got = await siteAnswer();
  const expected = await plain.inject({ method: 'GET', url: '/api/site' });
  expect(got.text).toBe(expected.body);
  expect(got.contentType).toBe(expected.headers['content-type']);
  const body: unknown = JSON.parse(got.text);
  expect(validateSite(body), JSON.stringify(validateSite.errors)).toBe(true);
  return body;
}

describe('GET /api/site assembled from kept rows', () => {
  it('is valid against its OpenAPI schema and equals a view built afresh, with a charging EVSE and a ruled mode', async () => {
    const body = (await expectSiteAsBuiltAfresh()) as { evses: Array<{ evseKey: string; modeSource: string; status: string }>; meters: Record<string, unknown> };
    expect(body.evses.map((e) => e.evseKey)).toEqual(['HOME/1', 'NIGHT/1', 'AWAY/1', 'AWAY/2']);
    expect(body.evses.find((e) => e.evseKey === 'NIGHT/1')?.modeSource).toBe('rule:always-external');
    expect(body.evses.find((e) => e.evseKey === 'HOME/1')?.status).toBe('charging');
    expect(Object.keys(body.meters)).toEqual(['grid']);
  });

  it('follows mode changes, a site limit, new decisions and a stale meter, read after read', async () => {
    await expectSiteAsBuiltAfresh();
    expect((await api.send('PATCH', '/api/evses/HOME/1', { mode: 'Idle' })).status).toBe(200);
    clock.advanceMs(200);
    const idle = (await expectSiteAsBuiltAfresh()) as { evses: Array<{ evseKey: string; mode: string; modeSource: string }> };
    expect(idle.evses.find((e) => e.evseKey === 'HOME/1')).toMatchObject({ mode: 'Idle', modeSource: 'api' });
    expect((await api.send('PATCH', '/api/evses/HOME/1', { mode: 'LocalLoadBalancing' })).status).toBe(200);
    expect((await api.send('POST', '/api/site/limits', { powerW: 4000, durationS: 600 })).status).toBe(201);
    clock.advanceMs(200);
    const limited = (await expectSiteAsBuiltAfresh()) as { siteLimit?: { powerW: number } };
    expect(limited.siteLimit?.powerW).toBe(4000);
    await publishGrid(9000);
    clock.advanceMs(200);
    await expectSiteAsBuiltAfresh();
    clock.advanceMs(31_000); // the grid meter goes stale: the circuit on failsafe
    const stale = (await expectSiteAsBuiltAfresh()) as { staleCircuits: Record<string, string> };
    expect(Object.keys(stale.staleCircuits)).toEqual(['main']);
    await publishGrid(500);
    clock.advanceMs(200);
    await expectSiteAsBuiltAfresh();
  });
});

describe('GET /api/health from light inputs', () => {
  it('is valid against its OpenAPI schema and gives the reasons the full views would give', async () => {
    clock.advanceMs(31_000); // the meter stale again, for a reason of each kind
    const res = await api.send('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(validateHealth(res.body), JSON.stringify(validateHealth.errors)).toBe(true);
    const full = energyQueries(h.hub.energy, clock);
    const queries = hubQueries({ store: h.hub.store, registry: h.hub.registry, clock, startedMs: 0, upstreamMode: 'none' });
    const expected = healthReasons({ site: full.site(), evses: full.evses(), stations: queries.stations() });
    const body = res.body as { status: string; reasons: string[] };
    expect(body.reasons).toEqual(expected);
    expect(body.status).toBe('degraded');
    expect(body.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^circuit main on failsafe/),
        expect.stringMatching(/^meter grid stale/),
        'station NIGHT offline (never connected)',
        'station AWAY offline',
      ]),
    );
    expect(body.reasons.some((r) => r.startsWith('station HOME'))).toBe(false);
  });
});
