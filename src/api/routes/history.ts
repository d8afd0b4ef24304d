import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';
import { maskIdToken, type Access } from '../access.js';
import { toCsv } from '../csv.js';
import type { CompletedSession, HistoryQueries, RangeProblem } from '../history-queries.js';
import { HISTORY_RANGES, MAX_HISTORY_POINTS } from '../../history/history-range.js';

const timeText = {
  type: 'string',
  minLength: 1,
  maxLength: 40,
  description: 'ISO 8601 date-time (2026-12-06T08:00:00Z) or ms since the epoch',
} as const;

const nullableNumbers = { type: 'array', items: { type: 'number', nullable: true } } as const;

const powerHistory = {
  type: 'object',
  required: ['fromMs', 'toMs', 'stepS', 'resolutionS', 't', 'site', 'evses'],
  properties: {
    fromMs: { type: 'integer' },
    toMs: { type: 'integer' },
    stepS: { type: 'integer', description: 'Width of each step, s' },
    resolutionS: { type: 'integer', description: 'Buckets read: 60 (1-minute, kept 2 days) or 900 (15-minute, kept data.retention.powerHistoryDays)' },
    t: { type: 'array', items: { type: 'integer' }, description: 'Start of each step that has data, ms since the epoch; the series below are aligned with it' },
    site: {
      type: 'object',
      description: 'Mean per step, W (null: no sample). Grid import positive, PV production positive.',
      required: ['gridW', 'pvW', 'evW', 'limitW'],
      properties: { gridW: nullableNumbers, pvW: nullableNumbers, evW: nullableNumbers, limitW: nullableNumbers },
    },
    evses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['evseKey', 'powerW', 'maxW'],
        properties: {
          evseKey: { type: 'string' },
          powerW: { ...nullableNumbers, description: 'Mean power per step, W' },
          maxW: { ...nullableNumbers, description: 'Highest sampled power per step, W' },
        },
      },
    },
  },
} as const;

const session = {
  type: 'object',
  required: ['stationId', 'evseId', 'evseKey', 'transactionId', 'startedMs', 'endedMs'],
  properties: {
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    evseKey: { type: 'string' },
    transactionId: { type: 'string' },
    idToken: { type: 'string', description: 'Masked (***42) without the bearer token' },
    startedMs: { type: 'integer' },
    endedMs: { type: 'integer' },
    energyWh: { type: 'number' },
    maxPowerW: { type: 'number', description: 'Highest power the hub sampled on the EVSE during the session, W' },
    stoppedReason: { type: 'string' },
  },
} as const;

const sessionsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { ...timeText, description: `${timeText.description}; default: 7 days before to (the window may be up to 366 days)` },
    to: { ...timeText, description: `${timeText.description}; default: now` },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  },
} as const;

interface SessionsQuerystring {
  from?: string;
  to?: string;
  limit: number;
}

interface HistoryQuerystring {
  range?: string;
  from?: string;
  to?: string;
  step?: number;
  series?: string;
}

function refuse(p: RangeProblem): never {
  throw new ApiError('INVALID_RANGE', `${p.field}: ${p.reason}`, p.field);
}

/** GET /api/history, /api/sessions and /api/sessions.csv: reads, open; id tokens masked without the token. */
export function historyRoutes(app: FastifyInstance, deps: { history: HistoryQueries; access: Access }): void {
  const { history, access } = deps;
  const sessionsOf = (req: FastifyRequest<{ Querystring: SessionsQuerystring }>): { fromMs: number; toMs: number; sessions: Array<CompletedSession & { evseKey: string }> } => {
    const w = history.sessionsWindow(req.query);
    if (!w.ok) refuse(w);
    const masked = !access.seesPersonalData(req);
    const sessions = history.sessions(w, req.query.limit).map((s) => ({
      ...s,
      evseKey: `${s.stationId}/${s.evseId}`,
      ...(s.idToken !== undefined && masked ? { idToken: maskIdToken(s.idToken) } : {}),
    }));
    return { fromMs: w.fromMs, toMs: w.toMs, sessions };
  };

  app.get<{ Querystring: HistoryQuerystring }>(
    '/api/history',
    {
      schema: {
        tags: ['history'],
        summary: 'Site power (grid, PV, EV total, site limit) and power per EVSE over a window, downsampled',
        description:
          `Either \`range\` (back from now) or \`from\`/\`to\`, optionally with \`step\` (s; a multiple of 60, or of 900 when the window begins more than 2 days ago; at most ${MAX_HISTORY_POINTS} steps). ` +
          'The minute in progress is included. A window that cannot be answered is refused with 400 INVALID_RANGE and the reason.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            range: { type: 'string', enum: Object.keys(HISTORY_RANGES), description: 'Window ending now' },
            from: { ...timeText, description: `${timeText.description}; default: 24 h before to` },
            to: { ...timeText, description: `${timeText.description}; default: now` },
            step: { type: 'integer', minimum: 60, maximum: 86400, description: 'Step, s; default: a step giving at most 720 points' },
            series: { type: 'string', enum: ['all', 'site'], default: 'all', description: '`site`: only the site series (evses is empty)' },
          },
        },
        response: { 200: powerHistory, ...errors(400) },
      },
    },
    async (req) => {
      const w = history.historyWindow(req.query);
      if (!w.ok) refuse(w);
      return history.history(w);
    },
  );

  app.get<{ Querystring: SessionsQuerystring }>(
    '/api/sessions',
    {
      schema: {
        tags: ['history'],
        summary: 'Completed charging sessions that ended in [from, to), newest first (id tokens masked without the bearer token)',
        querystring: sessionsQuery,
        response: { 200: { type: 'object', required: ['fromMs', 'toMs', 'sessions'], properties: { fromMs: { type: 'integer' }, toMs: { type: 'integer' }, sessions: { type: 'array', items: session } } }, ...errors(400) },
      },
    },
    async (req) => sessionsOf(req),
  );

  app.get<{ Querystring: SessionsQuerystring }>(
    '/api/sessions.csv',
    {
      schema: {
        tags: ['history'],
        summary: 'The completed sessions as CSV (RFC 4180, header row, times in UTC ISO 8601, energy kWh, power kW)',
        querystring: sessionsQuery,
        response: {
          200: { description: 'CSV with a header row', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errors(400),
        },
      },
    },
    async (req, reply) => {
      const rows = sessionsOf(req).sessions.map((s) => [
        s.stationId,
        s.evseId,
        s.transactionId,
        s.idToken,
        new Date(s.startedMs).toISOString(),
        new Date(s.endedMs).toISOString(),
        s.energyWh === undefined ? undefined : round(s.energyWh / 1000, 3),
        s.maxPowerW === undefined ? undefined : round(s.maxPowerW / 1000, 2),
        s.stoppedReason,
      ]);
      const csv = toCsv(['station', 'evse', 'transaction', 'id_token', 'start_utc', 'end_utc', 'energy_kwh', 'max_power_kw', 'stopped_reason'], rows);
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', 'attachment; filename="sessions.csv"')
        .send(csv);
    },
  );
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
