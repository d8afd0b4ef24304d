import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { EvseSettingsPatch } from '../../control/evse-controls.js';
import type { EnergyQueries } from '../energy-queries.js';
import type { HubQueries } from '../hub-queries.js';
import { evseApiView, evseViews } from '../evse-view.js';
import { bearerSecurity, currentLimit, errors, evse, evseParams, OPERATION_MODES, SOLAR_MODES } from '../schemas.js';
import { keyOf, notFound, type EvseParams } from './evse-params.js';

export interface EvseRouteDeps {
  queries: HubQueries;
  energy: EnergyQueries;
  writeGuard: onRequestHookHandler;
}


export function evseRoutes(app: FastifyInstance, deps: EvseRouteDeps): void {
  const { queries, energy, writeGuard } = deps;

  app.get(
    '/api/evses',
    {
      schema: {
        tags: ['evses'],
        summary: 'Every configured EVSE: status, offered vs drawn current, phases, mode, transaction, energy, and its limit with sources',
        response: { 200: { type: 'object', required: ['evses'], properties: { evses: { type: 'array', items: evse } } } },
      },
    },
    async () => ({ evses: evseViews(queries, energy) }),
  );

  app.get<{ Params: EvseParams }>(
    '/api/evses/:stationId/:evseId',
    { schema: { tags: ['evses'], summary: 'One configured EVSE', params: evseParams, response: { 200: evse, ...errors(400, 404) } } },
    async (req) => {
      const key = keyOf(req.params);
      const view = energy.evse(key); // this EVSE's alone, as in the PATCH below
      if (!view) throw notFound(key);
      return evseApiView(view, queries.station(view.stationId));
    },
  );

  app.patch<{ Params: EvseParams; Body: EvseSettingsPatch }>(
    '/api/evses/:stationId/:evseId',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['evses'],
        summary: "Sets an EVSE's priority, operation mode, solar mode and/or max current",
        description:
          'Each field set is checked against the EVSE (a max current outside its configured min and max is refused with the reason; a solar mode needs a solar-surplus strategy), applied at the next decision, which follows at once, and kept across restarts. `null` puts a setting back to the site config. The answer shows who set each setting (`settings`).',
        security: bearerSecurity,
        params: evseParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            priority: { type: 'number', exclusiveMinimum: 0, maximum: 1000, nullable: true, description: 'Weight in sharing: higher gets a larger share' },
            mode: { type: 'string', enum: [...OPERATION_MODES, null], nullable: true, description: 'OCPP 2.1 operation mode: which strategies act on the EVSE' },
            solarMode: { type: 'string', enum: [...SOLAR_MODES, null], nullable: true, description: 'off: no charging; now: full power; min+pv: min current plus PV surplus; pv: PV surplus only' },
            maxCurrentA: { type: 'number', minimum: 0, maximum: 500, nullable: true, description: "Highest current per phase the hub offers this EVSE, A: between the EVSE's configured minCurrentA and maxCurrentA" },
          },
        },
        response: { 200: evse, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      // The changed EVSE's view alone: building every EVSE's view to pick one would cost the site's size per change.
      const view = await energy.setEvseSettings(keyOf(req.params), req.body);
      return evseApiView(view, queries.station(view.stationId));
    },
  );

  app.get<{ Params: EvseParams; Querystring: { durationS: number } }>(
    '/api/evses/:stationId/:evseId/schedule',
    {
      schema: {
        tags: ['evses'],
        summary: 'The effective (composite) schedule of one EVSE, with the source of every limit',
        params: evseParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { durationS: { type: 'integer', minimum: 60, maximum: 7 * 86400, default: 3600 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['evseKey', 'limits', 'schedule'],
            additionalProperties: true,
            properties: {
              evseKey: { type: 'string' },
              limit: currentLimit,
              limits: { type: 'array', items: currentLimit },
              status: { type: 'string' },
              baseShareA: { type: 'number' },
              controllable: { type: 'boolean', description: 'false: the charger refused the hub\'s profiles, so no limit is enforced on it (CSMS profiles for it are rejected)' },
              capabilities: {
                type: 'object',
                description: 'What the charger takes in charging profiles, read after its boot (with the site config override)',
                additionalProperties: false,
                properties: {
                  rateUnits: { type: 'array', items: { type: 'string', enum: ['A', 'W'] } },
                  maxStackLevel: { type: 'integer' },
                  maxProfilesInstalled: { type: 'integer' },
                  maxPeriodsPerSchedule: { type: 'integer' },
                },
              },
              schedule: { type: 'object', additionalProperties: true },
            },
          },
          ...errors(400, 404),
        },
      },
    },
    async (req) => {
      const key = keyOf(req.params);
      const view = energy.evseSchedule(key, req.query.durationS);
      if (!view) throw notFound(key);
      return view;
    },
  );
}
