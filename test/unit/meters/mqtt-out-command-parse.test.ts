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
