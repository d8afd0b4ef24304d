import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';

/** The OpenAPI document, generated from the route schemas and served at /docs. */
let h: Harness;
beforeAll(async () => {
  h = await startTestHub(`
api: { token: openapi-token-0001 }
stations:
  - { id: CP1, securityProfile: 0, evses: [{ id: 1 }] }
`);
});
afterAll(async () => {
  await h?.stop();
});

interface Operation {
  summary?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}

const READS = [
  ['get', '/api/health'],
  ['get', '/api/stations'],
  ['get', '/api/stations/{stationId}'],
  ['get', '/api/evses'],
  ['get', '/api/evses/{stationId}/{evseId}'],
  ['get', '/api/evses/{stationId}/{evseId}/schedule'],
  ['get', '/api/site'],
  ['get', '/api/transactions'],
  ['get', '/api/authorizations'],
  ['get', '/api/authorizations/{idToken}'],
  ['get', '/metrics'],
] as const;

const WRITES = [
  ['post', '/api/stations/{stationId}/evses/{evseId}/start'],
  ['post', '/api/stations/{stationId}/evses/{evseId}/stop'],
  ['patch', '/api/evses/{stationId}/{evseId}'],
  ['post', '/api/site/limits'],
  ['delete', '/api/site/limits'],
  ['put', '/api/authorizations/{idToken}'],
  ['delete', '/api/authorizations/{idToken}'],
] as const;

describe('the OpenAPI document', () => {
  it('is served as JSON at /docs/json and lists every route with a summary', async () => {
    const res = await h.hub.api.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } }>();
    expect(doc.openapi).toBe('3.0.3');
    for (const [method, path] of [...READS, ...WRITES]) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op?.summary, `${method} ${path}`).toEqual(expect.any(String));
    }
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('marks exactly the write routes as needing the bearer token, with their 401 answer', async () => {
    const doc = (await h.hub.api.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
    for (const [method, path] of WRITES) {
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      expect(doc.paths[path]?.[method]?.responses, `${method} ${path}`).toHaveProperty('401');
    }
    // Reads are open; a token, when sent, unmasks id tokens.
    for (const [method, path] of READS) expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toEqual([{}, { bearerAuth: [] }]);
  });

  it('is browsable at /docs', async () => {
    const res = await h.hub.api.inject({ method: 'GET', url: '/docs' });
    const page = res.statusCode === 302 ? await h.hub.api.inject({ method: 'GET', url: String(res.headers.location) }) : res;
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Swagger UI');
  });
});
