import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OPERATION_MODES } from '../../../src/control/operation-modes.js';
import type { CommandResult, MqttCommands } from '../../../src/meters/command-topic.js';
import { MeterHub } from '../../../src/meters/meter-hub.js';
import { mqttOutConfigSchema, resolveMqttOut, type ResolvedMqttOut } from '../../../src/meters/mqtt-out-config.js';
import { MqttOut } from '../../../src/meters/mqtt-out-service.js';
import type { MqttOutState } from '../../../src/meters/mqtt-out-state.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { MqttObserver } from './mqtt-out-observer.js';
import { useTestBroker } from '../../helpers/test-broker.js';

/** The command topic against a real broker, with a fake command interface that records calls. */

const broker = useTestBroker();

type Call = { fn: 'setSiteLimit'; powerW: number; durationS: number } | { fn: 'clearSiteLimit' } | { fn: 'setEvseMode'; evseKey: string; mode: string };

class FakeCommands implements MqttCommands {
  readonly calls: Call[] = [];
  throwNext = false;
  setSiteLimit(powerW: number, durationS: number): { powerW: number; untilMs: number } {
    if (this.throwNext) {
      this.throwNext = false;
      throw new Error('boom');
    }
    this.calls.push({ fn: 'setSiteLimit', powerW, durationS });
    return { powerW, untilMs: 1_000 + durationS * 1000 };
  }
  clearSiteLimit(): void {
    this.calls.push({ fn: 'clearSiteLimit' });
  }
  setEvseMode(evseKey: string, mode: string): boolean {
    if (evseKey !== 'CP-1/1') return false;
    this.calls.push({ fn: 'setEvseMode', evseKey, mode });
    return true;
  }
}

interface Running {
  settings: ResolvedMqttOut;
  observer: MqttObserver;
  commands: FakeCommands;
  state: { current: MqttOutState };
  /** Publishes a command and resolves with its result. */
  send(rest: string, payload: string, opts?: { retain?: boolean }): Promise<CommandResult>;
}

async function startOut(id = randomUUID()): Promise<Running> {
  const settings = resolveMqttOut(mqttOutConfigSchema.parse({ enabled: true, topicPrefix: `switchyard-test/${id}`, discoveryPrefix: `ha-test-${id}`, siteLimitDurationS: 7200 }), 'Test site');
  const observer = await MqttObserver.connect(broker.url, [`${settings.topicPrefix}/#`]);
  const clock = new FakeClock();
  const link = new MeterHub({ url: broker.url, meters: [], clock, log: silentLogger() });
  const commands = new FakeCommands();
  const state = {
    current: {
      site: { gridPowerW: null, pvPowerW: null, evPowerW: 0, evCurrentA: { L1: 0, L2: 0, L3: 0 }, siteLimitW: null, siteLimitSource: null, staleMeters: [], gridImportKWh: null, gridExportKWh: null, pvEnergyKWh: null },
      evses: [],
      stations: [],
    } satisfies MqttOutState as MqttOutState,
  };
  const out = new MqttOut({ link, clock, log: silentLogger(), settings, read: () => state.current, commands, modes: OPERATION_MODES, siteLimitMaxW: 44_000, swVersion: 'test' });
  out.start();
  await link.start();
  await link.subscribed();
  broker.onCleanup(async () => {
    await out.stop();
    await link.close();
    await observer.close();
  });
  return {
    settings,
    observer,
    commands,
    state,
    async send(rest, payload, opts = {}) {
      const topic = `${settings.topicPrefix}/cmd/${rest}`;
      const mark = observer.mark;
      await observer.publish(topic, payload, opts);
      const m = await observer.waitForTopic(`${topic}/result`, mark);
      return JSON.parse(m.payload) as CommandResult;
    },
  };
}

describe('the site limit command', () => {
  it('sets a limit in W for the configured duration and acknowledges it', async () => {
    const r = await startOut();
    expect(await r.send('site/limit', '11000')).toMatchObject({ ok: true, powerW: 11000 });
    expect(r.commands.calls).toEqual([{ fn: 'setSiteLimit', powerW: 11000, durationS: 7200 }]);
  });

  it('takes a duration from a JSON payload', async () => {
    const r = await startOut();
    expect(await r.send('site/limit', '{"powerW": 9000, "durationS": 600}')).toMatchObject({ ok: true, powerW: 9000 });
    expect(r.commands.calls).toEqual([{ fn: 'setSiteLimit', powerW: 9000, durationS: 600 }]);
  });

  it('clears the limit on an empty payload', async () => {
    const r = await startOut();
    expect(await r.send('site/limit', '')).toMatchObject({ ok: true, cleared: true });
    expect(r.commands.calls).toEqual([{ fn: 'clearSiteLimit' }]);
  });

  it.each([
    ['a word', 'eleven kW'],
    ['a negative power', '-5'],
    ['a power beyond any site', '1e12'],
    ['a JSON power that is not a number', '{"powerW": "11000"}'],
    ['an unknown JSON key', '{"powerW": 11000, "phase": 1}'],
    ['a bad duration', '{"powerW": 11000, "durationS": 0}'],
    ['broken JSON', '{"powerW": '],
  ])('refuses %s with a reason and applies nothing', async (_what, payload) => {
    const r = await startOut();
    const result = await r.send('site/limit', payload);
    expect(result).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(result.ok === false && result.reason.length > 0).toBe(true);
    expect(r.commands.calls).toEqual([]);
  });

  it('answers INTERNAL when applying throws, and keeps taking commands', async () => {
    const r = await startOut();
    r.commands.throwNext = true;
    expect(await r.send('site/limit', '5000')).toMatchObject({ ok: false, code: 'INTERNAL' });
    expect(await r.send('site/limit', '6000')).toMatchObject({ ok: true, powerW: 6000 });
  });

  it('does not apply a command the broker kept retained, and says so', async () => {
    const id = randomUUID();
    const topic = `switchyard-test/${id}/cmd/site/limit`;
    const writer = await MqttObserver.connect(broker.url, [`switchyard-test/${id}/#`]);
    broker.onCleanup(() => writer.close());
    await writer.publish(topic, '3000', { retain: true });
    const r = await startOut(id);
    const m = await writer.waitForTopic(`${topic}/result`);
    expect(JSON.parse(m.payload)).toMatchObject({ ok: false, code: 'RETAINED_IGNORED' });
    expect(r.commands.calls).toEqual([]);
    await writer.publish(topic, '', { retain: true }); // removes it from the broker
  });
});

describe('the EVSE mode command', () => {
  it('sets a mode named in any letter case and acknowledges the spelling it used', async () => {
    const r = await startOut();
    expect(await r.send('evse/CP-1/1/mode', 'idle')).toMatchObject({ ok: true, evseKey: 'CP-1/1', mode: 'Idle' });
    expect(r.commands.calls).toEqual([{ fn: 'setEvseMode', evseKey: 'CP-1/1', mode: 'Idle' }]);
  });

  it('refuses a mode that does not exist, naming the ones that do', async () => {
    const r = await startOut();
    const result = await r.send('evse/CP-1/1/mode', 'Turbo');
    expect(result).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(result.ok === false && result.reason).toContain('LocalLoadBalancing');
    expect(r.commands.calls).toEqual([]);
  });

  it('refuses an EVSE that is not configured', async () => {
    const r = await startOut();
    expect(await r.send('evse/NOPE/1/mode', 'Idle')).toMatchObject({ ok: false, code: 'UNKNOWN_EVSE' });
  });

  it.each([['evse/CP-1/0/mode'], ['evse/CP-1/x/mode'], ['evse/CP-1/1/priority'], ['site/reboot']])('refuses the unknown command %s', async (rest) => {
    const r = await startOut();
    expect(await r.send(rest, 'Idle')).toMatchObject({ ok: false, code: 'UNKNOWN_COMMAND' });
    expect(r.commands.calls).toEqual([]);
  });
});
