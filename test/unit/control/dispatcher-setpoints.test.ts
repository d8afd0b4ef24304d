import { describe, expect, it } from 'vitest';
import { Dispatcher, type EvseTarget } from '../../../src/control/dispatcher.js';
import { validatePayload } from '../../../src/ocpp/schema-validator.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';

interface Period {
  limit: number;
  operationMode?: string;
  setpoint?: number;
  dischargeLimit?: number;
}
interface Sent {
  version: OcppVersion;
  stackLevel: number;
  period: Period;
  payload: unknown;
}

/** A dispatcher on a FakeClock (minIntervalS 30, hysteresisA 1, lease 300 s) that accepts every profile and records the 2.x periods. */
function aDispatcher(version: OcppVersion) {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  const dispatcher = new Dispatcher({
    clock,
    log: silentLogger(),
    versionOf: () => version,
    send: (_stationId, _action, payload) => {
      const p = payload as { chargingProfile: { stackLevel: number; chargingSchedule: { chargingSchedulePeriod: Period[] }[] } };
      const period = p.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[0] as Period;
      sent.push({ version, stackLevel: p.chargingProfile.stackLevel, period, payload });
      return Promise.resolve({ status: 'Accepted' });
    },
  });
  const apply = async (target: Partial<EvseTarget>): Promise<void> => {
    dispatcher.apply({ 'cs1/1': { limitA: 0, baseA: 6, numberPhases: 3, voltageV: 230, ...target } });
    await settle();
  };
  const dynamic = () => sent.filter((s) => s.stackLevel === 2).map((s) => s.period);
  return { clock, sent, dispatcher, apply, dynamic };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

describe('Dispatcher with setpoints', () => {
  it('sends a 2.1 EVSE its setpoint in a schema-valid dynamic profile', async () => {
    const h = aDispatcher('2.1');
    await h.apply({ setpointW: -3000, dischargeLimitW: -5000 });
    expect(h.dynamic()).toEqual([{ startPeriod: 0, limit: 0, numberPhases: 3, operationMode: 'CentralSetpoint', setpoint: -3000, dischargeLimit: -5000 }]);
    for (const s of h.sent) expect(validatePayload('2.1', 'SetChargingProfile', 'req', s.payload)).toBeUndefined();
    expect(h.dispatcher.state('cs1/1')).toMatchObject({ lastSetpointW: -3000, targetSetpointW: -3000, pending: false });
  });

  it('sends less charging power at once: a lower setpoint and a tighter discharge limit', async () => {
    const h = aDispatcher('2.1');
    await h.apply({ setpointW: -3000, dischargeLimitW: -5000 });
    await h.apply({ setpointW: -4000, dischargeLimitW: -5000 });
    await h.apply({ setpointW: -4000, dischargeLimitW: -4500 });
    expect(h.dynamic().map((p) => [p.setpoint, p.dischargeLimit])).toEqual([[-3000, -5000], [-4000, -5000], [-4000, -4500]]);
    expect(h.dispatcher.stats().byReason.decrease).toBe(2);
  });

  it('holds a higher setpoint until minIntervalS has passed', async () => {
    const h = aDispatcher('2.1');
    await h.apply({ setpointW: -3000 });
    await h.apply({ setpointW: -1000 });
    expect(h.dynamic().map((p) => p.setpoint)).toEqual([-3000]);
    expect(h.dispatcher.state('cs1/1')?.pending).toBe(true);
    h.clock.advanceMs(30_000);
    await settle();
    expect(h.dynamic().map((p) => p.setpoint)).toEqual([-3000, -1000]);
    expect(h.dispatcher.stats().byReason.increase).toBe(1);
  });

  it('lets a setpoint increase within the hysteresis ride along with the next renewal', async () => {
    const h = aDispatcher('2.1');
    await h.apply({ setpointW: -3000 });
    await h.apply({ setpointW: -2500 }); // hysteresis: 1 A x 3 phases x 230 V = 690 W
    h.clock.advanceMs(60_000);
    await settle();
    expect(h.dynamic().map((p) => p.setpoint)).toEqual([-3000]);
    h.clock.advanceMs(140_000); // renewal at 2/3 of the 300 s lease
    await settle();
    expect(h.dynamic().map((p) => p.setpoint)).toEqual([-3000, -2500]);
    expect(h.dispatcher.stats().byReason.renewal).toBe(1);
  });

  it('drops the setpoint at once when the decision no longer has one', async () => {
    const h = aDispatcher('2.1');
    await h.apply({ setpointW: -3000, limitA: 0 });
    await h.apply({ limitA: 0 });
    expect(h.dynamic()).toEqual([expect.objectContaining({ setpoint: -3000 }), { startPeriod: 0, limit: 0, numberPhases: 3 }]);
  });

  it('sends a 2.0.1 EVSE current limits only, and no write for a setpoint change alone', async () => {
    const h = aDispatcher('2.0.1');
    await h.apply({ setpointW: -3000 });
    await h.apply({ setpointW: -5000 });
    expect(h.dynamic()).toEqual([{ startPeriod: 0, limit: 0, numberPhases: 3 }]);
    expect(h.dispatcher.state('cs1/1')?.pending).toBe(false);
  });
});
