import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../../../src/ocpp/schema-validator.js';
import { bootOutcome, heartbeatDue, hubBootNotification, nextHeartbeatAtMs } from '../../../../src/upstream/hub-mode/index.js';

describe('hub boot and heartbeat', () => {
  it('boots as Switchyard with reason PowerUp and a model cut to the schema length', () => {
    const boot = hubBootNotification({ model: 'Switchyard site hub edition', firmwareVersion: '0.1.0' });
    expect(boot).toEqual({ reason: 'PowerUp', chargingStation: { model: 'Switchyard site hub ', vendorName: 'Switchyard', firmwareVersion: '0.1.0' } });
    expect(validatePayload('2.0.1', 'BootNotification', 'req', boot)).toBeUndefined();
    expect(validatePayload('2.1', 'BootNotification', 'req', boot)).toBeUndefined();
  });

  it('takes the heartbeat interval from an accepted boot and retries a pending one', () => {
    expect(bootOutcome({ status: 'Accepted', interval: 300 }, 60)).toEqual({ status: 'Accepted', heartbeatIntervalS: 300 });
    expect(bootOutcome({ status: 'Pending', interval: 0 }, 60)).toEqual({ status: 'Pending', retryAfterS: 60 });
  });

  it('sends the one site heartbeat only after a whole idle interval', () => {
    const activity = { lastTrafficMs: 1_000_000, heartbeatIntervalS: 300 };
    expect(nextHeartbeatAtMs(activity)).toBe(1_300_000);
    expect(heartbeatDue(activity, 1_299_999)).toBe(false);
    expect(heartbeatDue(activity, 1_300_000)).toBe(true);
  });
});
