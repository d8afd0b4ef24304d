import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { OperationMode } from '../../energy/charging-profile.js';
import { bearerSecurity, errors, evseParams, evseSetpoint, evseSetpointBody, siteSetpoint, siteSetpointBody } from '../schemas.js';
import { keyOf, notFound, type EvseParams } from './evse-params.js';

/** An EVSE's external setpoint as the API shows it, W (positive charges, negative discharges). */
export interface EvseSetpointView {
  evseKey: string;
  setpointW: number;
  dischargeLimitW?: number;
  untilMs: number;
  source: string;
  /** The EVSE's operation mode now: the setpoint acts only in CentralSetpoint / ExternalSetpoint. */
  mode: OperationMode;
}

export interface SiteSetpointView {
  setpointW: number;
  untilMs: number;
  source: string;
}

/** What the setpoint routes ask of the energy side (source `external:api`). */
export interface SetpointControl {
  /** Undefined for an unknown EVSE. */
  setEvse(evseKey: string, req: { setpointW: number; dischargeLimitW?: number; durationS: number }): EvseSetpointView | undefined;
  /** False for an unknown EVSE (true also when it had none). */
  clearEvse(evseKey: string): boolean;
  setSite(req: { setpointW: number; durationS: number }): SiteSetpointView;
  clearSite(): void;
}

export interface SetpointRouteDeps {
  setpoints: SetpointControl;
  writeGuard: onRequestHookHandler;
}


/**
 * External setpoints (OCPP 2.1 ExternalSetpoint / CentralSetpoint inputs), each with a duration
 * after which it lapses. They act on EVSEs in a setpoint operation mode (see PATCH
 * /api/evses/{stationId}/{evseId}); a site setpoint is shared among those without their own.
 */
export function setpointRoutes(app: FastifyInstance, deps: SetpointRouteDeps): void {
  const { setpoints, writeGuard } = deps;

  app.put<{ Params: EvseParams; Body: { setpointW: number; dischargeLimitW?: number; durationS: number } }>(
    '/api/evses/:stationId/:evseId/setpoint',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['evses'],
        summary: "Sets an EVSE's external power setpoint (replaces an earlier one) for durationS; clamped by the EVSE's limits and discharge limit",
        security: bearerSecurity,
        params: evseParams,
        body: evseSetpointBody,
        description: 'Refused with 409 NOT_APPLICABLE (and the reason) when nothing would act on it: no setpoint strategy, or the EVSE in a mode without setpoints.',
        response: { 201: evseSetpoint, ...errors(400, 401, 404, 409) },
      },
    },
    async (req, reply) => {
      const key = keyOf(req.params);
      const set = setpoints.setEvse(key, req.body);
      if (!set) throw notFound(key);
      return reply.status(201).send(set);
    },
  );

  app.delete<{ Params: EvseParams }>(
    '/api/evses/:stationId/:evseId/setpoint',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['evses'],
        summary: "Clears an EVSE's external setpoint",
        security: bearerSecurity,
        params: evseParams,
        response: { 204: { type: 'null' }, ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const key = keyOf(req.params);
      if (!setpoints.clearEvse(key)) throw notFound(key);
      return reply.status(204).send();
    },
  );

  app.put<{ Body: { setpointW: number; durationS: number } }>(
    '/api/site/setpoint',
    {
      onRequest: writeGuard,
      schema: {
        tags: ['site'],
        summary: 'Sets an external site setpoint (replaces an earlier one) for durationS, shared among the EVSEs under setpoint control',
        security: bearerSecurity,
        body: siteSetpointBody,
        response: { 201: siteSetpoint, ...errors(400, 401) },
      },
    },
    async (req, reply) => reply.status(201).send(setpoints.setSite(req.body)),
  );

  app.delete(
    '/api/site/setpoint',
    {
      onRequest: writeGuard,
      schema: { tags: ['site'], summary: 'Clears the external site setpoint', security: bearerSecurity, response: { 204: { type: 'null' }, ...errors(401) } },
    },
    async (_req, reply) => {
      setpoints.clearSite();
      return reply.status(204).send();
    },
  );
}
