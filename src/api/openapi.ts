import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';

/**
 * Reads: open, but a bearer token (when one is configured) unmasks id tokens. The empty
 * requirement says "no credentials needed".
 */
export const openReadSecurity: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }];

/** The OpenAPI document's frame; the paths come from the route schemas. */
export function openApiOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Switchyard hub API',
        description:
          'Read the stations, EVSEs, site and transactions of an on-site OCPP hub; start and stop transactions, set site limits, EVSE priority and mode, and edit the local authorization list. Write endpoints need `Authorization: Bearer <api.token>` when a token is configured; reads are open, and show id tokens masked without it. Errors carry a stable code from one catalogue.',
        version: '0.1.0',
      },
      tags: [
        { name: 'hub' },
        { name: 'stations' },
        { name: 'evses' },
        { name: 'site' },
        { name: 'transactions' },
        { name: 'authorization' },
        { name: 'history' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          queryToken: { type: 'apiKey', in: 'query', name: 'token', description: 'The API token as ?token= (for EventSource, which cannot send headers)' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      if ((schema as { hide?: boolean } | undefined)?.hide) return { schema, url };
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      const out = toOpenApi30(structuredClone(schema ?? {})) as FastifySchema & { operationId?: string; security?: unknown[] };
      out.operationId ??= operationIdOf(method, url);
      out.security ??= openReadSecurity;
      return { schema: out, url };
    },
  };
}

/** `get /api/evses/:stationId/:evseId/schedule` -> `getEvsesByStationIdByEvseIdSchedule`. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((s) => s !== '' && s !== 'api')
    .map((s) => (s.startsWith(':') ? `By${cap(s.slice(1))}` : s.split(/[^A-Za-z0-9]+/).map(cap).join('')));
  return method.toLowerCase() + words.join('');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * JSON Schema (draft 7, what fastify validates with) to OpenAPI 3.0's dialect: a numeric
 * `exclusiveMinimum: n` becomes `minimum: n, exclusiveMinimum: true` (same for maximum), and
 * `const` becomes a one-value `enum`. Runtime validation keeps the draft 7 form.
 */
export function toOpenApi30(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi30);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // Maps from names to schemas: the names are not keywords.
    out[k] = SCHEMA_MAPS.has(k) && typeof v === 'object' && v !== null && !Array.isArray(v) ? mapValues(v, toOpenApi30) : toOpenApi30(v);
  }
  if (typeof out.exclusiveMinimum === 'number') {
    out.minimum = out.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof out.exclusiveMaximum === 'number') {
    out.maximum = out.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  if ('const' in out) {
    out.enum = [out.const];
    delete out.const;
  }
  return out;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', 'response', 'content']);

function mapValues(o: object, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
