import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { SimCharger } from '../../../src/sim/sim-charger.js';
import type { SchedulePeriod } from '../../../src/energy/charging-profile.js';
import { startTestHub, type Harness } from '../../helpers/hub-harness.js';
import { apiClient, type ErrorBody } from '../api/api-client.js';
import { waitForState } from '../sim/advance.js';

/**
 * External setpoints end to end: the REST API, the real hub with the setpoint strategy, and a
 * simulated OCPP 2.1 station (strict schema validation of what it receives) with a bidirectional
 * EVSE in CentralSetpoint. OTHER/1 is configured but never connects (for the API's answers).
 */
const TOKEN = 'setpoint-token-0001';
const SITE = `
api: { token: ${TOKEN} }
energy: { marginA: 1, debounceMs: 100, minIntervalS: 5, leaseS: 120 }
circuits:
  - { id: main, maxCurrentA: 40, worstCaseNonEvA: 0 }
stations:
  - { id: V2X, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16, bidirectional: true, mode: CentralSetpoint }] }
  - { id: OTHER, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
strategies:
  - { type: setpoint }
authorization:
  list: [{ idToken: CAR }]
`;

let h: Harness;
let clock: FakeClock;
let charger: SimCharger;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  api = apiClient(h.hub.api, TOKEN);
  charger = new SimCharger({ identity: 'V2X', version: '2.1', endpoint: h.hub.ocppUrl, clock, log: silentLogger(), phases: 3, maxCurrentA: 16, meterIntervalS: 10 });
  await charger.start();
  await charger.plugIn(1, { capacityWh: 60_000, socPct: 80, maxAcCurrentA: 16, phases: 3 });
  await charger.authorize(1, 'CAR');
  await waitForState(charger, (s) => s.evses[0]?.transactionId !== undefined);
});

afterAll(async () => {
  await charger?.stop();
  await h?.stop();
});

/** The period of the hub's dynamic profile (stack level 2) installed on the simulated EVSE. */
function dynamicPeriod(): SchedulePeriod | undefined {
  return charger.state().evses[0]?.profiles.find((p) => p.stackLevel === 2)?.schedules[0]?.periods[0];
}

const code = (body: unknown): string => (body as ErrorBody).error.code;

describe('an external setpoint from the API', () => {
  it('reaches a 2.1 station as a CentralSetpoint period with a negative setpoint', async () => {
    const res = await api.send('PUT', '/api/evses/V2X/1/setpoint', { setpointW: -3000, dischargeLimitW: -6000, durationS: 600 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ evseKey: 'V2X/1', setpointW: -3000, dischargeLimitW: -6000, source: 'external:api', mode: 'CentralSetpoint', untilMs: clock.nowMs() + 600_000 });

    clock.advanceMs(100); // debounce; a discharge setpoint is less charging power: sent at once
    await waitForState(charger, () => dynamicPeriod()?.setpoint === -3000);
    expect(dynamicPeriod()).toMatchObject({ operationMode: 'CentralSetpoint', setpoint: -3000, dischargeLimit: -6000, limit: 0 });
    expect(charger.state().evses[0]?.profiles.find((p) => p.stackLevel === 2)?.schedules[0]?.rateUnit).toBe('W');
    expect(h.hub.energy.lastDecision()?.evses['V2X/1']).toMatchObject({ setpointW: -3000, setpointMode: 'CentralSetpoint' });
  });

  it('lapses after its duration, and the station gets a profile without a setpoint', async () => {
    await api.send('PUT', '/api/evses/V2X/1/setpoint', { setpointW: -2000, durationS: 60 });
    clock.advanceMs(5_000); // less discharge is more charging power: it waits for minIntervalS
    await waitForState(charger, () => dynamicPeriod()?.setpoint === -2000);
    clock.advanceMs(55_000); // the setpoint lapses 60 s after it was set
    clock.advanceMs(100); // debounce
    await waitForState(charger, () => dynamicPeriod()?.setpoint === 0); // the strategy's "no setpoint given: 0 W"
    expect(dynamicPeriod()?.operationMode).toBe('CentralSetpoint');
  });

  it('is cleared by DELETE', async () => {
    await api.send('PUT', '/api/evses/V2X/1/setpoint', { setpointW: -1000, durationS: 600 });
    expect((await api.send('DELETE', '/api/evses/V2X/1/setpoint')).status).toBe(204);
    expect(h.hub.energy.externalSetpoints.list().evses).toEqual([]);
  });
});

describe('the setpoint routes', () => {
  it('answer 404 NOT_FOUND for an EVSE the site config does not have', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await api.send(method, '/api/evses/NOPE/1/setpoint', method === 'PUT' ? { setpointW: 1000, durationS: 60 } : undefined);
      expect([res.status, code(res.body)]).toEqual([404, 'NOT_FOUND']);
    }
  });

  it.each([
    ['no duration', { setpointW: 1000 }],
    ['a positive discharge limit', { setpointW: -1000, dischargeLimitW: 500, durationS: 60 }],
    ['a setpoint that is not a number', { setpointW: 'lots', durationS: 60 }],
    ['an unknown field', { setpointW: 1000, durationS: 60, phase: 2 }],
  ])('answer 400 BAD_REQUEST to a body with %s and change nothing', async (_what, body) => {
    const res = await api.send('PUT', '/api/evses/OTHER/1/setpoint', body);
    expect([res.status, code(res.body)]).toEqual([400, 'BAD_REQUEST']);
    expect(h.hub.energy.externalSetpoints.list().evses).toEqual([]);
  });

  it('refuse 409 NOT_APPLICABLE, with the reason, a setpoint on an EVSE in a mode where no strategy uses it', async () => {
    const res = await api.send('PUT', '/api/evses/OTHER/1/setpoint', { setpointW: 1000, durationS: 60 });
    expect([res.status, code(res.body)]).toEqual([409, 'NOT_APPLICABLE']);
    expect((res.body as { error: { message: string } }).error.message).toBe(
      'EVSE OTHER/1 is in mode LocalLoadBalancing, where setpoints are not used: set its mode to CentralSetpoint or ExternalSetpoint first',
    );
    expect(h.hub.energy.externalSetpoints.list().evses).toEqual([]);
  });

  it('answer 401 UNAUTHORIZED without a token and change nothing', async () => {
    const put = await api.send('PUT', '/api/site/setpoint', { setpointW: -5000, durationS: 60 }, null);
    const del = await api.send('DELETE', '/api/evses/V2X/1/setpoint', undefined, 'wrong-token');
    expect([put.status, code(put.body), del.status, code(del.body)]).toEqual([401, 'UNAUTHORIZED', 401, 'UNAUTHORIZED']);
    expect(h.hub.energy.externalSetpoints.list().site).toBeUndefined();
  });

  it('set and clear the site setpoint', async () => {
    const put = await api.send('PUT', '/api/site/setpoint', { setpointW: -5000, durationS: 300 });
    expect([put.status, put.body]).toEqual([201, { setpointW: -5000, untilMs: clock.nowMs() + 300_000, source: 'external:api' }]);
    expect((await api.send('PUT', '/api/site/setpoint', { setpointW: -5000 })).status).toBe(400);
    expect((await api.send('DELETE', '/api/site/setpoint')).status).toBe(204);
    expect(h.hub.energy.externalSetpoints.list().site).toBeUndefined();
  });

  it('are listed in the OpenAPI document', async () => {
    const doc = await api.get<{ paths: Record<string, Record<string, unknown>> }>('/docs/json');
    expect(Object.keys(doc.paths['/api/evses/{stationId}/{evseId}/setpoint'] ?? {}).sort()).toEqual(['delete', 'put']);
    expect(Object.keys(doc.paths['/api/site/setpoint'] ?? {}).sort()).toEqual(['delete', 'put']);
  });
});
