import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import type { ErrorBody } from './api-client.js';

/** Client errors fastify raises before a route runs still leave with a code of ours, matching their status. */
const TOKEN = 'api-errors-token-0001';
let h: Harness;
beforeAll(async () => {
  h = await startTestHub(`
api: { token: ${TOKEN} }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 16 }
stations:
  - { id: CP1, securityProfile: 0, evses: [{ id: 1, circuit: main }] }
`);
});
afterAll(async () => {
  await h?.stop();
});

async function post(payload: string, contentType: string) {
  const res = await h.hub.api.inject({
    method: 'POST',
    url: '/api/site/limits',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType },
    payload,
  });
  return { status: res.statusCode, error: res.json<ErrorBody>().error };
}

describe('client errors', () => {
  it('answers malformed JSON with 400 MALFORMED_JSON naming the body', async () => {
    expect(await post('{"powerW": 10', 'application/json')).toMatchObject({ status: 400, error: { code: 'MALFORMED_JSON', field: 'body' } });
  });

  it('answers a body over the size limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ powerW: 1000, pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(await post(big, 'application/json')).toMatchObject({ status: 413, error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers a body in another media type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    expect(await post('powerW=1000', 'application/x-www-form-urlencoded')).toMatchObject({ status: 415, error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });
});
