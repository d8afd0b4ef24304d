import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';

/**
 * The OpenAPI document checked by an independent validator (@apidevtools/swagger-parser, which
 * validates against the official OpenAPI 3.0 JSON schema), and against the rules clients rely
 * on: an operationId and a security statement on every operation, the live stream documented.
 */
let h: Harness;
let doc: OpenAPIV3.Document;
beforeAll(async () => {
  h = await startTestHub(`
api: { token: openapi-token-0001 }
stations:
  - { id: CP1, securityProfile: 0, evses: [{ id: 1 }] }
`);
  const res = await h.hub.api.inject({ method: 'GET', url: '/docs/json' });
  doc = res.json<OpenAPIV3.Document>();
});
afterAll(async () => {
  await h?.stop();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operations(d: OpenAPIV3.Document): Array<{ name: string; op: OpenAPIV3.OperationObject }> {
  return Object.entries(d.paths).flatMap(([path, item]) => METHODS.flatMap((m) => (item?.[m] ? [{ name: `${m} ${path}`, op: item[m] }] : [])));
}

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.0 with an independent validator', async () => {
    // validate() mutates what it is given: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('gives every operation a unique operationId and says what security it needs', () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(15);
    const ids = ops.map((o) => o.op.operationId);
    expect(ops.filter((o) => typeof o.op.operationId !== 'string').map((o) => o.name), 'operations without operationId').toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ops.filter((o) => !Array.isArray(o.op.security)).map((o) => o.name), 'operations without security').toEqual([]);
  });

  it('documents the live stream as server-sent events', () => {
    const op = doc.paths['/api/stream']?.get;
    expect(op?.operationId).toBe('getLiveStream');
    const ok = op?.responses['200'] as OpenAPIV3.ResponseObject | undefined;
    expect(Object.keys(ok?.content ?? {})).toEqual(['text/event-stream']);
  });
});
