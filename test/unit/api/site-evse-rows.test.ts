import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import type { EvseDecision } from '../../../src/control/decide.js';
import type { OperationMode } from '../../../src/energy/charging-profile.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { SiteView } from '../../../src/api/energy-queries.js';
import { site as siteSchema } from '../../../src/api/schemas.js';
import { SiteEvseRows, rowOf, type RowModes } from '../../../src/api/site-evse-rows.js';
import { SiteJson } from '../../../src/api/site-json.js';

/**
 * The kept rows of GET /api/site never go stale: after any sequence of decisions (new objects
 * with the same or other content, the same object again, EVSEs added and removed) and mode
 * changes, the rows equal rows built afresh, and the assembled JSON text equals what fastify's
 * serializer makes from the route's schema.
 */

const KEYS = ['A/1', 'A/2', 'B/1', 'C/1'] as const;
const MODES: OperationMode[] = ['LocalLoadBalancing', 'Idle', 'ChargingOnly'];

const limitArb: fc.Arbitrary<CurrentLimit> = fc.record(
  {
    maxCurrentA: fc.constantFrom(0, 6, 7.5, 16),
    source: fc.constantFrom('evse:max', 'circuit:main', 'strategy:load-balancing', 'guard'),
    reason: fc.constantFrom('no EV wants power', 'fair share', 'x "quoted" ü'),
  },
  { requiredKeys: ['maxCurrentA', 'source'] },
);

/** One EVSE's decision content, drawn from few values so that equal content comes up often. */
const decisionArb = (evseKey: string): fc.Arbitrary<EvseDecision> =>
  fc.record({
    limit: limitArb,
    status: fc.constantFrom('charging', 'paused', 'inactive') as fc.Arbitrary<EvseDecision['status']>,
    limits: fc.array(limitArb, { maxLength: 3 }),
    baseShareA: fc.constantFrom(0, 6, 7.9),
  }).map(({ limit, status, limits, baseShareA }) => ({ evseKey, limit, status, limits, baseShare: { maxCurrentA: baseShareA, source: 'base' } }));

type Tweak = { field: 'status' | 'baseShare' | 'limit' | 'limitInList' | 'reason' | 'extraField' | 'listLength'; value: number };

/** A copy of a decision with one thing changed (or, by chance, set to the value it had). */
function tweaked(d: EvseDecision, t: Tweak): EvseDecision {
  const c = structuredClone(d);
  const statuses: Array<EvseDecision['status']> = ['charging', 'paused', 'inactive'];
  switch (t.field) {
    case 'status': c.status = statuses[Math.floor(t.value) % 3] as EvseDecision['status']; break;
    case 'baseShare': c.baseShare.maxCurrentA = t.value; break;
    case 'limit': c.limit.maxCurrentA = t.value; break;
    case 'limitInList': if (c.limits.length > 0) (c.limits[Math.floor(t.value) % c.limits.length] as CurrentLimit).source = `s${Math.floor(t.value) % 2}`; break;
    case 'reason': if (Math.floor(t.value) % 2 === 0) delete c.limit.reason; else c.limit.reason = 'fair share'; break;
    case 'extraField': (c.limit as unknown as Record<string, unknown>)['untilMs'] = t.value; break;
    case 'listLength': if (Math.floor(t.value) % 2 === 0) c.limits.pop(); else c.limits.push({ maxCurrentA: t.value, source: 'guard' }); break;
  }
  return c;
}

const tweakArb: fc.Arbitrary<Tweak> = fc.record({
  field: fc.constantFrom('status', 'baseShare', 'limit', 'limitInList', 'reason', 'extraField', 'listLength'),
  value: fc.constantFrom(0, 1, 2, 6, 7.9, 16),
});

/** One step: per EVSE, absent, the previous object kept, a copy, a copy with one change, or a new decision; and the modes. */
const stepArb = fc.record({
  evses: fc.tuple(
    ...KEYS.map((k) =>
      fc.oneof(
        { arbitrary: fc.constant('absent' as const), weight: 1 },
        { arbitrary: fc.constant('same' as const), weight: 1 },
        { arbitrary: fc.constant('copy' as const), weight: 2 },
        { arbitrary: tweakArb, weight: 6 },
        { arbitrary: decisionArb(k), weight: 2 },
      ),
    ),
  ),
  modes: fc.tuple(...KEYS.map(() => fc.option(fc.constantFrom(...MODES), { nil: undefined }))),
  sources: fc.tuple(...KEYS.map(() => fc.option(fc.constantFrom('config', 'api', 'rule:night'), { nil: undefined }))),
  fallback: fc.constantFrom(...MODES),
  /** The rule book hands out the same mode records while nothing changed. */
  sameRecords: fc.boolean(),
  /** No new decision since the last read: the very same record of decisions. */
  sameDecisions: fc.boolean(),
});

function siteViewOf(evses: SiteView['evses']): SiteView {
  return {
    nowMs: 1_700_000_000_000,
    meters: { grid: { meterId: 'grid', timeMs: 1, ageS: 2, stale: false, powerW: 1200 } as never },
    circuits: [{ circuitId: 'main', phases: { L1: { limitA: 32, nonEvA: 1, availableA: 31, allocatedA: 6 }, L2: { limitA: 32, nonEvA: 0, availableA: 32, allocatedA: 0 }, L3: { limitA: 32, nonEvA: 0, availableA: 32, allocatedA: 0 } } } as never],
    staleCircuits: {},
    evses,
    rules: { active: [], problems: [] },
    dispatch: { writes: 3, accepted: 3, rejected: 0, failed: 0 },
  };
}

/** Two routes with the site schema: one answers the view as fastify serializes it, one with the assembled text. */
async function twoRoutes(view: () => SiteView): Promise<FastifyInstance> {
  const app = Fastify();
  const json = new SiteJson();
  app.get('/plain', { schema: { response: { 200: siteSchema } } }, async () => view());
  app.get('/assembled', { schema: { response: { 200: siteSchema } } }, async (_req, reply) =>
    reply.type('application/json; charset=utf-8').send(json.render(view(), (schema) => {
      const serialize = reply.compileSerializationSchema(schema);
      return (data) => serialize(data as Record<string, unknown>);
    })),
  );
  await app.ready();
  return app;
}

describe('the site view kept row by row', () => {
  it('equals rows and text built afresh after any sequence of decisions and mode changes', async () => {
    let current: SiteView = siteViewOf([]);
    const app = await twoRoutes(() => current);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 2, maxLength: 10 }), async (steps) => {
          const rows = new SiteEvseRows();
          let previous: Record<string, EvseDecision> = {};
          let records: Pick<RowModes, 'modes' | 'modeSources'> | undefined;
          let fallback: OperationMode | undefined;
          for (const step of steps) {
            const decisions: Record<string, EvseDecision> = step.sameDecisions ? previous : {};
            KEYS.forEach((key, i) => {
              if (step.sameDecisions) return;
              const choice = step.evses[i];
              const before = previous[key];
              if (choice === 'absent') return;
              if (choice === 'same') {
                if (before) decisions[key] = before;
              } else if (choice === 'copy') {
                if (before) decisions[key] = structuredClone(before);
              } else if (choice !== undefined && 'field' in choice) {
                if (before) decisions[key] = tweaked(before, choice);
              } else if (choice !== undefined) decisions[key] = choice;
            });
            if (!step.sameRecords || !records || fallback === undefined) {
              const modes: Record<string, OperationMode> = {};
              const modeSources: Record<string, string> = {};
              KEYS.forEach((key, i) => {
                const mode = step.modes[i];
                const source = step.sources[i];
                if (mode !== undefined) modes[key] = mode;
                if (source !== undefined) modeSources[key] = source;
              });
              records = { modes, modeSources };
              fallback = step.fallback;
            }
            const { modes, modeSources } = records;
            const modeOf = fallback;
            const kept = rows.rowsOf(decisions, { modes, modeSources, modeOf: () => modeOf });
            const fresh = Object.values(decisions).map((e) => rowOf(e, modes[e.evseKey] ?? modeOf, modeSources[e.evseKey] ?? 'setting'));
            expect(kept).toEqual(fresh);
            expect(JSON.stringify(kept)).toBe(JSON.stringify(fresh));

            current = siteViewOf(kept);
            const plain = await app.inject({ method: 'GET', url: '/plain' });
            const assembled = await app.inject({ method: 'GET', url: '/assembled' });
            expect(assembled.body).toBe(plain.body);
            expect(assembled.headers['content-type']).toBe(plain.headers['content-type']);
            previous = decisions;
          }
        }),
        { numRuns: 200 },

      );
    } finally {
      await app.close();
    }
  });

  it('hands out the same row object while an EVSE decision keeps its content, a new one when it changes', () => {
    const rows = new SiteEvseRows();
    const modes: RowModes = { modes: { 'A/1': 'LocalLoadBalancing' }, modeSources: { 'A/1': 'config' }, modeOf: () => 'LocalLoadBalancing' };
    const decision = (maxCurrentA: number): EvseDecision => ({
      evseKey: 'A/1',
      limit: { maxCurrentA, source: 'circuit:main' },
      status: 'charging',
      limits: [{ maxCurrentA: 16, source: 'evse:max' }, { maxCurrentA, source: 'circuit:main' }],
      baseShare: { maxCurrentA: 6, source: 'base' },
    });
    const [first] = rows.rowsOf({ 'A/1': decision(10) }, modes);
    const [again] = rows.rowsOf({ 'A/1': decision(10) }, modes);
    expect(again).toBe(first);
    const [changed] = rows.rowsOf({ 'A/1': decision(11) }, modes);
    expect(changed).not.toBe(first);
    expect(changed?.limit.maxCurrentA).toBe(11);
    const [otherMode] = rows.rowsOf({ 'A/1': decision(11) }, { ...modes, modes: { 'A/1': 'Idle' } });
    expect(otherMode?.mode).toBe('Idle');
  });

  it('renders no site without its required fields, as the schema serializer would not', async () => {
    const app = Fastify();
    const json = new SiteJson();
    app.get('/assembled', async (_req, reply) =>
      reply.type('application/json; charset=utf-8').send(json.render({ ...siteViewOf([]), circuits: undefined } as unknown as SiteView, (schema) => {
        const serialize = reply.compileSerializationSchema(schema);
        return (data) => serialize(data as Record<string, unknown>);
      })),
    );
    const res = await app.inject({ method: 'GET', url: '/assembled' });
    expect(res.statusCode).toBe(500);
    await app.close();
  });
});
