/**
 * JSON schemas of the API's bodies, shared by the routes: fastify validates requests and
 * serializes answers with them, and the OpenAPI document is generated from them.
 */
import { API_ERRORS } from './errors.js';
import { OPERATION_MODES } from '../control/operation-modes.js';
import { SOLAR_MODES } from '../energy/solar-mode.js';

export { OPERATION_MODES, SOLAR_MODES };

export const AUTHORIZATION_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'] as const;

export const errorResponse = {
  type: 'object',
  description: 'An error from the catalogue: a stable code, a message for people, and the offending field when there is one.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(API_ERRORS) },
        message: { type: 'string' },
        field: { type: 'string', description: 'Path of the offending field, e.g. body.powerW or params.evseId' },
      },
    },
  },
} as const;

/** Error answers a route can give, by status. */
export function errors(...statuses: number[]): Record<number, typeof errorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, errorResponse]));
}

/** Write routes carry this: they need `Authorization: Bearer <api.token>` when a token is configured. */
export const bearerSecurity = [{ bearerAuth: [] }];

export const stationIdParam = { type: 'string', minLength: 1, maxLength: 64, description: 'Station identity' } as const;
export const evseIdParam = { type: 'integer', minimum: 1, description: 'EVSE id on the station (1.6: connector id)' } as const;

export const evseParams = {
  type: 'object',
  required: ['stationId', 'evseId'],
  properties: { stationId: stationIdParam, evseId: evseIdParam },
} as const;

export const currentLimit = {
  type: 'object',
  required: ['maxCurrentA', 'source'],
  properties: {
    maxCurrentA: { type: 'number', description: 'A per phase; 0 is paused' },
    source: { type: 'string', description: 'Who set it: fuse:main, circuit:row-a, csms:profile 7, strategy:..., failsafe, evse:max, override:api' },
    reason: { type: 'string' },
  },
} as const;

export const transaction = {
  type: 'object',
  required: ['stationId', 'transactionId', 'evseId', 'connectorId', 'startedMs', 'lastSeqNo', 'status'],
  properties: {
    stationId: { type: 'string' },
    transactionId: { type: 'string' },
    evseId: { type: 'integer' },
    connectorId: { type: 'integer' },
    idToken: { type: 'string' },
    startedMs: { type: 'number' },
    endedMs: { type: 'number' },
    meterStartWh: { type: 'number' },
    meterStopWh: { type: 'number' },
    energyWh: { type: 'number', description: 'Energy delivered so far (or in total once ended), Wh' },
    stoppedReason: { type: 'string' },
    lastSeqNo: { type: 'integer' },
    status: { type: 'string', enum: ['Active', 'Ended'] },
  },
} as const;

export const connector = {
  type: 'object',
  required: ['connectorId', 'status', 'updatedMs'],
  properties: {
    connectorId: { type: 'integer' },
    status: { type: 'string', enum: ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'] },
    detail: { type: 'string', description: 'The wire status when it says more (1.6 Charging, SuspendedEV, ...)' },
    errorCode: { type: 'string' },
    updatedMs: { type: 'number' },
  },
} as const;

export const station = {
  type: 'object',
  required: ['stationId', 'version', 'connected', 'evses'],
  properties: {
    stationId: { type: 'string' },
    version: { type: 'string', enum: ['1.6', '2.0.1', '2.1'] },
    vendor: { type: 'string' },
    model: { type: 'string' },
    serialNumber: { type: 'string' },
    firmwareVersion: { type: 'string' },
    bootStatus: { type: 'string', enum: ['Accepted', 'Pending', 'Rejected'] },
    lastBootMs: { type: 'number' },
    lastSeenMs: { type: 'number' },
    connected: { type: 'boolean' },
    evses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['evseId', 'connectors'],
        properties: { evseId: { type: 'integer' }, connectors: { type: 'array', items: connector }, transaction },
      },
    },
  },
} as const;

/** A setting's value and who set it. */
function settingValue(value: Record<string, unknown>, description: string) {
  return {
    type: 'object',
    description,
    required: ['value', 'source'],
    properties: {
      value,
      source: { type: 'string', description: 'Who set it: `config` (the site config or its default), `api` (REST API, dashboard) or `mqtt` (command topic, Home Assistant)' },
      updatedMs: { type: 'number', description: 'When it was set at runtime' },
    },
  } as const;
}

/** The operator's settings of an EVSE, persisted across restarts. */
export const evseSettings = {
  type: 'object',
  description: 'What an operator can set on the EVSE (PATCH), with who set each; settings made at runtime survive a restart',
  required: ['priority', 'mode'],
  properties: {
    priority: settingValue({ type: 'number' }, 'Weight in sharing: higher gets a larger share'),
    mode: settingValue({ type: 'string', enum: OPERATION_MODES }, 'Operation mode without cron rules (a rule may set another for a while: see mode and modeSource of the EVSE)'),
    solarMode: settingValue({ type: 'string', enum: SOLAR_MODES }, 'Solar mode (sites with a solar-surplus strategy): off, now (full power), min+pv (min current plus surplus), pv (surplus only)'),
    maxCurrentA: settingValue({ type: 'number' }, "Operator's max current, A per phase (within the EVSE's min and max); absent: the EVSE's own max applies"),
  },
} as const;

export const evse = {
  type: 'object',
  description: 'A configured EVSE: settings, live state, what it is offered and draws, and every limit that applied with its source.',
  required: ['evseKey', 'stationId', 'evseId', 'connected', 'circuitId', 'phases', 'phaseRotation', 'minCurrentA', 'maxCurrentA', 'priority', 'mode', 'modeSource', 'settings', 'active', 'limits', 'connectors'],
  properties: {
    evseKey: { type: 'string', description: '<stationId>/<evseId>' },
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    connected: { type: 'boolean' },
    circuitId: { type: 'string' },
    phases: { type: 'integer', enum: [1, 3] },
    phaseRotation: { type: 'array', items: { type: 'string' }, description: 'Grid phase of each EVSE phase' },
    minCurrentA: { type: 'number' },
    maxCurrentA: { type: 'number' },
    priority: { type: 'number' },
    mode: { type: 'string', enum: OPERATION_MODES, description: 'Operation mode now: which strategies act on the EVSE' },
    modeSource: { type: 'string', description: 'Who set the mode: `rule:<id>` while a cron rule sets it, else `config`, `api` or `mqtt`' },
    settings: evseSettings,
    solarInForce: { type: 'boolean', description: 'With a solar mode: false while the operation mode keeps the solar strategy from acting (see mode and modeSource)' },
    active: { type: 'boolean', description: 'An EV is in a transaction' },
    offeredA: { type: 'number', description: 'Last limit sent to the EVSE, A per phase' },
    drawnA: { type: 'array', items: { type: 'number' }, description: 'Current drawn per EVSE phase, A' },
    limit: currentLimit,
    limits: { type: 'array', items: currentLimit },
    allocation: { type: 'string', enum: ['charging', 'paused', 'inactive', 'uncontrollable', 'fixed'] },
    baseShareA: { type: 'number', description: 'Guaranteed safe share (base profile), A per phase' },
    profileWrites: {
      type: 'object',
      description: 'SetChargingProfile writes to this EVSE (charger flash wears out under frequent writes)',
      properties: { lastHour: { type: 'integer' }, lastDay: { type: 'integer' } },
    },
    disobedient: {
      type: 'object',
      description: 'Present while the charger draws more than the limit it accepted (beyond energy.obey.toleranceA for energy.obey.afterS); it is budgeted at what it draws',
      properties: { sinceMs: { type: 'number' }, limitA: { type: 'number' }, drawnA: { type: 'number' } },
    },
    connectors: { type: 'array', items: connector },
    transaction,
  },
} as const;

export const siteLimit = {
  type: 'object',
  required: ['powerW', 'untilMs', 'source'],
  properties: { powerW: { type: 'number' }, untilMs: { type: 'number' }, source: { type: 'string' } },
} as const;

const phaseBudget = {
  type: 'object',
  properties: { limitA: { type: 'number' }, nonEvA: { type: 'number' }, availableA: { type: 'number' }, allocatedA: { type: 'number' } },
} as const;

export const site = {
  type: 'object',
  required: ['nowMs', 'meters', 'circuits', 'staleCircuits', 'evses', 'dispatch'],
  properties: {
    nowMs: { type: 'number' },
    meters: { type: 'object', additionalProperties: true, description: 'Latest reading per meter id with its age' },
    circuits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['circuitId', 'phases'],
        properties: {
          circuitId: { type: 'string' },
          phases: { type: 'object', properties: { L1: phaseBudget, L2: phaseBudget, L3: phaseBudget } },
          power: { type: 'object', additionalProperties: true },
        },
      },
    },
    staleCircuits: { type: 'object', additionalProperties: { type: 'string' } },
    evses: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          evseKey: { type: 'string' },
          mode: { type: 'string', description: 'OCPP 2.1 operation mode now: which strategies act on the EVSE' },
          modeSource: { type: 'string', description: 'Who set the mode: `rule:<id>` while a cron rule sets it, else `config`, `api` or `mqtt`' },
          limit: currentLimit, status: { type: 'string' }, limits: { type: 'array', items: currentLimit }, baseShareA: { type: 'number' },
        },
      },
    },
    siteLimit,
    rules: {
      type: 'object',
      description: 'Cron rules active now, the site limit they set, and limits they could not compute',
      properties: {
        active: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, sinceMs: { type: 'number' }, untilMs: { type: 'number' } } } },
        siteLimitW: { type: 'object', properties: { powerW: { type: 'number' }, source: { type: 'string' }, reason: { type: 'string' } } },
        problems: { type: 'array', items: { type: 'string' } },
      },
    },
    lastDecision: {
      type: 'object',
      properties: { atMs: { type: 'number' }, durationMs: { type: 'number' }, reasons: { type: 'array', items: { type: 'string' } } },
    },
    dispatch: {
      type: 'object',
      properties: { writes: { type: 'integer' }, accepted: { type: 'integer' }, rejected: { type: 'integer' }, failed: { type: 'integer' } },
    },
    der: {
      type: 'object',
      description: 'OCPP 2.1 DER controls in force, one per control type (hub mode on a 2.1 link only)',
      required: ['inForce'],
      properties: {
        inForce: {
          type: 'array',
          items: {
            type: 'object',
            required: ['controlId', 'controlType', 'isDefault', 'priority'],
            properties: {
              controlId: { type: 'string' },
              controlType: { type: 'string' },
              isDefault: { type: 'boolean' },
              priority: { type: 'integer', description: '0 is the highest' },
              startMs: { type: 'number', description: 'Scheduled controls: start of the validity window' },
              durationS: { type: 'number' },
            },
          },
        },
      },
    },
  },
} as const;

export const authorizationEntry = {
  type: 'object',
  required: ['idToken', 'status'],
  properties: {
    idToken: { type: 'string' },
    status: { type: 'string', enum: AUTHORIZATION_STATUSES },
    expiry: { type: 'string', format: 'date-time', description: 'From then on the token reads as Expired (unless Blocked)' },
    parentIdToken: { type: 'string' },
  },
} as const;

const setpointW = { type: 'number', minimum: -10_000_000, maximum: 10_000_000, description: 'Power setpoint, W: positive charges, negative discharges' } as const;
const setpointDurationS = { type: 'integer', minimum: 1, maximum: 7 * 86400, description: 'How long it holds, s (it lapses then)' } as const;

/** Body of PUT /api/evses/{stationId}/{evseId}/setpoint. */
export const evseSetpointBody = {
  type: 'object',
  required: ['setpointW', 'durationS'],
  additionalProperties: false,
  properties: {
    setpointW,
    dischargeLimitW: { type: 'number', minimum: -10_000_000, maximum: 0, description: 'Most negative power allowed, W (<= 0)' },
    durationS: setpointDurationS,
  },
} as const;

/** Body of PUT /api/site/setpoint. */
export const siteSetpointBody = {
  type: 'object',
  required: ['setpointW', 'durationS'],
  additionalProperties: false,
  properties: { setpointW, durationS: setpointDurationS },
} as const;

export const evseSetpoint = {
  type: 'object',
  required: ['evseKey', 'setpointW', 'untilMs', 'source', 'mode'],
  properties: {
    evseKey: { type: 'string' },
    setpointW: { type: 'number' },
    dischargeLimitW: { type: 'number' },
    untilMs: { type: 'number' },
    source: { type: 'string', description: 'external:api' },
    mode: { type: 'string', enum: OPERATION_MODES, description: 'The EVSE operation mode now: the setpoint acts only in CentralSetpoint or ExternalSetpoint' },
  },
} as const;

export const siteSetpoint = {
  type: 'object',
  required: ['setpointW', 'untilMs', 'source'],
  properties: { setpointW: { type: 'number' }, untilMs: { type: 'number' }, source: { type: 'string' } },
} as const;
