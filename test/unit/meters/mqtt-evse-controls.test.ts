import { describe, expect, it } from 'vitest';
import { EvseControls, type RemoteStartStop } from '../../../src/control/evse-controls.js';
import { mqttEvseControls } from '../../../src/meters/mqtt-evse-controls.js';
import { ApiError } from '../../../src/api/errors.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { anEvse } from '../control/builders.js';

/**
 * MQTT's EVSE commands (Home Assistant's select, number and buttons) act on the one
 * EvseControls with source `mqtt`, and its refusals come back as command results.
 */
function setup(remote?: RemoteStartStop) {
  const clock = new FakeClock(1_000);
  const evses: EvseModel[] = [anEvse('cs1/1', { minCurrentA: 6, maxCurrentA: 16 })];
  const changes: string[] = [];
  const controls = new EvseControls({ log: silentLogger(), evses, nowMs: () => clock.nowMs(), onChange: (reason) => changes.push(reason), ...(remote ? { remote } : {}) });
  controls.configure('cs1/1', { priority: 1, mode: 'LocalLoadBalancing', solarMode: 'pv' });
  return { controls, changes };
}

describe('mqttEvseControls', () => {
  it('sets the solar mode and the max current in the controls, as set by mqtt, and a decision follows', async () => {
    const { controls, changes } = setup();
    const commands = mqttEvseControls(controls, { solarModes: true });
    expect(await commands.setEvseSolarMode?.('cs1/1', 'now')).toEqual({ ok: true });
    expect(await commands.setEvseMaxCurrent?.('cs1/1', 10)).toEqual({ ok: true });
    expect(controls.view('cs1/1')?.solarMode).toMatchObject({ value: 'now', source: 'mqtt' });
    expect(controls.view('cs1/1')?.maxCurrentA).toMatchObject({ value: 10, source: 'mqtt' });
    expect(changes).toHaveLength(2);
  });

  it("answers the controls' refusals with their reason; nothing changes", async () => {
    const { controls, changes } = setup();
    const commands = mqttEvseControls(controls, { solarModes: true });
    expect(await commands.setEvseMaxCurrent?.('cs1/1', 40)).toMatchObject({ ok: false, code: 'BAD_PAYLOAD', reason: expect.stringContaining('16 A') });
    expect(await commands.setEvseMaxCurrent?.('cs1/1', 4)).toMatchObject({ ok: false, code: 'BAD_PAYLOAD', reason: expect.stringContaining('6 A') });
    expect(await commands.setEvseSolarMode?.('cs9/1', 'now')).toMatchObject({ ok: false, code: 'UNKNOWN_EVSE' });
    expect(controls.view('cs1/1')?.maxCurrentA).toBeUndefined();
    expect(changes).toEqual([]);
  });

  it('offers no solar mode command without a solar-surplus strategy, and no start/stop outside standalone mode', () => {
    const { controls } = setup();
    const commands = mqttEvseControls(controls, { solarModes: false });
    expect(commands.setEvseSolarMode).toBeUndefined();
    expect(commands.remote).toBeUndefined();
    expect(commands.setEvseMaxCurrent).toBeDefined();
  });

  it("starts with the configured id token and stops through the controls' remote, passing its refusals on", async () => {
    const calls: unknown[][] = [];
    const remote: RemoteStartStop = {
      start: async (...args) => {
        calls.push(['start', ...args]);
        return { status: 'Accepted' };
      },
      stop: async (...args) => {
        calls.push(['stop', ...args]);
        throw new ApiError('NO_ACTIVE_TRANSACTION', 'EVSE cs1/1 has no active transaction');
      },
    };
    const { controls } = setup(remote);
    const commands = mqttEvseControls(controls, { solarModes: true, startIdToken: 'home-assistant' });
    expect(await commands.remote?.start('cs1', 1)).toEqual({ ok: true });
    expect(await commands.remote?.stop('cs1', 1)).toEqual({ ok: false, code: 'NO_ACTIVE_TRANSACTION', reason: 'EVSE cs1/1 has no active transaction' });
    expect(await commands.remote?.start('cs9', 1)).toMatchObject({ ok: false, code: 'UNKNOWN_EVSE' });
    expect(calls).toEqual([
      ['start', 'cs1', 1, 'home-assistant'],
      ['stop', 'cs1', 1],
    ]);
  });
});
