import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdCommits } from '../../helpers/commit-gate.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { apiClient, type ErrorBody } from './api-client.js';

/**
 * An operator's change through the API joins the store's group commit (its sync runs off the
 * event loop): the answer waits until the change is committed, the hub acts on it only then, and
 * a change whose commit fails is refused and never applied. A real hub on a real SQLite file;
 * commits held and failed with GroupCommit.gateCommits, as a slow or full disk would.
 */
const TOKEN = 'durable-token-0123456789';
const SITE = `
api: { token: ${TOKEN} }
stations:
  - { id: CP1, securityProfile: 0, evses: [{ id: 1, minCurrentA: 6, maxCurrentA: 16 }] }
`;

interface EvseBody {
  settings: { maxCurrentA?: { value: number; source: string } };
}

let h: Harness;
beforeAll(async () => {
  h = await startTestHub(SITE);
});
afterAll(async () => {
  await h?.stop();
});

const stored = () => h.hub.store.evseSettings.list().filter((r) => r.evseKey === 'CP1/1' && r.setting === 'maxCurrentA');

describe('EVSE changes through the API and the store', () => {
  it('answers a change only once it is committed, and applies it then', async () => {
    const api = apiClient(h.hub.api, TOKEN);
    const gate = holdCommits(h);
    let answered = false;
    const patch = api.send('PATCH', '/api/evses/CP1/1', { maxCurrentA: 10 }).finally(() => (answered = true));
    await gate.entered;
    expect(answered).toBe(false);
    // Not yet committed: the hub still acts on the setting before it.
    expect((await api.get<EvseBody>('/api/evses/CP1/1')).settings.maxCurrentA).toBeUndefined();
    expect(h.hub.energy.controls.maxCurrentCaps()['CP1/1']).toBeUndefined();
    gate.open();
    const res = await patch;
    expect(res.status).toBe(200);
    expect((res.body as EvseBody).settings.maxCurrentA).toMatchObject({ value: 10, source: 'api' });
    expect(h.hub.energy.controls.maxCurrentCaps()['CP1/1']).toEqual([expect.objectContaining({ maxCurrentA: 10 })]);
    expect(stored()).toEqual([expect.objectContaining({ value: 10, source: 'api' })]);
  });

  it('refuses a change whose commit fails, and neither applies nor keeps it', async () => {
    const api = apiClient(h.hub.api, TOKEN);
    const gate = holdCommits(h);
    const patch = api.send('PATCH', '/api/evses/CP1/1', { maxCurrentA: 12 });
    await gate.entered;
    gate.fail(new Error('database or disk is full'));
    const res = await patch;
    expect(res.status).toBe(500);
    expect((res.body as ErrorBody).error.code).toBe('INTERNAL');
    expect((await api.get<EvseBody>('/api/evses/CP1/1')).settings.maxCurrentA).toMatchObject({ value: 10 });
    expect(h.hub.energy.controls.maxCurrentCaps()['CP1/1']).toEqual([expect.objectContaining({ maxCurrentA: 10 })]);
    expect(stored()).toEqual([expect.objectContaining({ value: 10 })]);
  });
});
