import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/meters/mqtt-out-command-parse.js';

const MODES = ['LocalLoadBalancing', 'Idle'];
const parse = (rest: string, payload: string | Buffer) => parseCommand(rest, typeof payload === 'string' ? Buffer.from(payload) : payload, MODES);

describe('parsing MQTT commands', () => {
  it.each([
    ['11000', { kind: 'site-limit', powerW: 11000 }],
    [' 7400.5 ', { kind: 'site-limit', powerW: 7400.5 }],
    ['0', { kind: 'site-limit', powerW: 0 }],
    ['{"powerW": 9000, "durationS": 60}', { kind: 'site-limit', powerW: 9000, durationS: 60 }],
    ['', { kind: 'clear-site-limit' }],
    ['None', { kind: 'clear-site-limit' }],
    ['{"powerW": null}', { kind: 'clear-site-limit' }],
  ])('reads the site limit payload %j', (payload, command) => {
    expect(parse('site/limit', payload)).toEqual({ ok: true, command });
  });

  it.each(['abc', '-1', 'NaN', 'Infinity', '1e9', '[11000]', '{"powerW": true}', '{"durationS": 60}', '{"powerW": 1, "durationS": 1.5}', '{"powerW": 1, "durationS": 700000}'])(
    'refuses the site limit payload %j',
    (payload) => {
      const r = parse('site/limit', payload);
      expect(r).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    },
  );

  it('refuses a payload over 1 KiB unread', () => {
    const r = parse('site/limit', Buffer.alloc(2000, 0x31));
    expect(r).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(r.ok === false && r.reason).toContain('2000 bytes');
  });

  it('reads a mode command with the station and EVSE from the topic', () => {
    expect(parse('evse/CP:1.a/2/mode', 'IDLE')).toEqual({ ok: true, command: { kind: 'evse-mode', stationId: 'CP:1.a', evseId: 2, mode: 'Idle' } });
  });

  it.each(['evse/CP-1/01/mode', 'evse//1/mode', 'evse/CP-1/1', 'evse/CP-1/1/mode/x', 'site', 'site/limit/x'])('names %s an unknown command', (rest) => {
    expect(parse(rest, 'Idle')).toMatchObject({ ok: false, code: 'UNKNOWN_COMMAND' });
  });
});

describe('parsing the Home Assistant EVSE commands', () => {
  it.each(['off', 'now', 'min+pv', 'PV'])('takes the solar mode %s', (mode) => {
    expect(parse('evse/CP-1/2/solar_mode', mode)).toEqual({ ok: true, command: { kind: 'evse-solar-mode', stationId: 'CP-1', evseId: 2, mode: mode.toLowerCase() } });
  });

  it.each(['', 'solar', 'min pv', 'Idle'])('refuses the solar mode %j with the modes it takes', (payload) => {
    expect(parse('evse/CP-1/1/solar_mode', payload)).toMatchObject({ ok: false, code: 'BAD_PAYLOAD', reason: expect.stringContaining('off, now, min+pv, pv') });
  });

  it('takes a max current in A and refuses anything else', () => {
    expect(parse('evse/CP-1/1/max_current', '10.5')).toEqual({ ok: true, command: { kind: 'evse-max-current', stationId: 'CP-1', evseId: 1, maxCurrentA: 10.5 } });
    for (const bad of ['', '-1', 'ten', '1e9', '{"maxCurrentA": 10}', 'NaN']) {
      expect(parse('evse/CP-1/1/max_current', bad), bad).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    }
  });

  it('takes a button press (PRESS or empty) for start and stop, and nothing else', () => {
    expect(parse('evse/CP-1/1/start', 'PRESS')).toEqual({ ok: true, command: { kind: 'evse-start', stationId: 'CP-1', evseId: 1 } });
    expect(parse('evse/CP-1/1/stop', '')).toEqual({ ok: true, command: { kind: 'evse-stop', stationId: 'CP-1', evseId: 1 } });
    expect(parse('evse/CP-1/1/stop', 'press me')).toMatchObject({ ok: false, code: 'BAD_PAYLOAD' });
    expect(parse('evse/CP-1/0/start', 'PRESS')).toMatchObject({ ok: false, code: 'UNKNOWN_COMMAND' });
  });
});
