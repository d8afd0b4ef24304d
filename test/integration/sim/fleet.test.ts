import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoChargers, startFleet, type Fleet } from '../../../src/sim/fleet.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { advanceUntil, waitForState } from './advance.js';
import { TestCsms } from './test-csms.js';

let csms: TestCsms;
let fleet: Fleet | undefined;

beforeEach(async () => {
  csms = new TestCsms();
  await csms.start();
});

afterEach(async () => {
  await fleet?.stop();
  await csms.stop();
});

describe('the simulated demo fleet', () => {
  it('boots every station of a mixed-version fleet', async () => {
    fleet = await startFleet({ endpoint: csms.endpoint, chargers: demoChargers(3), clock: new FakeClock(), log: silentLogger(), scenario: 'none' });
    await fleet.ready;
    expect(new Set(csms.callsOf('BootNotification').map((c) => c.identity))).toEqual(new Set(['sim-evse-01', 'sim-evse-02', 'sim-evse-03']));
  });

  it('brings cars that authorize and charge with meter values', async () => {
    const clock = new FakeClock();
    fleet = await startFleet({
      endpoint: csms.endpoint,
      chargers: [{ identity: 'demo-1', version: '2.0.1', meterIntervalS: 10 }],
      clock,
      log: silentLogger(),
      demo: { idTags: ['ONLY-TAG'], authorizeMinS: 1, authorizeMaxS: 2, dwellMinS: 600, dwellMaxS: 600 },
    });
    await fleet.ready;
    clock.advanceMs(30_000);
    await csms.waitFor('StatusNotification', (c) => c.params['connectorStatus'] === 'Occupied');
    clock.advanceMs(2_000);
    const started = await csms.waitFor('TransactionEvent', (c) => c.params['eventType'] === 'Started');
    expect(started.params['idToken']).toEqual({ idToken: 'ONLY-TAG', type: 'ISO14443' });
    const charger = fleet.chargers[0];
    if (!charger) throw new Error('no charger');
    await waitForState(charger, (s) => s.evses[0]?.chargingState === 'Charging');
    await advanceUntil(clock, 10_000, csms, 'TransactionEvent', (c) => c.params['triggerReason'] === 'MeterValuePeriodic');
    expect(fleet.drawnCurrentA().L1).toBeGreaterThan(0);
  });
});
