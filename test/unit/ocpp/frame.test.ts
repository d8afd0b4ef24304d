import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_DEPTH, encodeCallError, nestsDeeperThan, parseFrame, peekFrameHead } from '../../../src/ocpp/frame.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';

interface BadCase {
  name: string;
  text: string;
  code: string;
  messageId: string;
  answer: boolean;
}

const BAD: BadCase[] = [
  { name: 'text that is not JSON', text: '[2,', code: 'RpcFrameworkError', messageId: '-1', answer: true },
  { name: 'a JSON number', text: '42', code: 'RpcFrameworkError', messageId: '-1', answer: true },
  { name: 'an array without a numeric type', text: '[null,"a"]', code: 'RpcFrameworkError', messageId: '-1', answer: true },
  { name: 'a CALL with a numeric id', text: '[2,1,"Heartbeat",{}]', code: 'RpcFrameworkError', messageId: '-1', answer: true },
  { name: 'a CALL with five elements', text: '[2,"a","Heartbeat",{},1]', code: 'RpcFrameworkError', messageId: 'a', answer: true },
  { name: 'a CALL with an object action', text: '[2,"a",{},{}]', code: 'RpcFrameworkError', messageId: 'a', answer: true },
  { name: 'a CALL with a string payload', text: '[2,"a","Heartbeat","{}"]', code: 'FormatViolation', messageId: 'a', answer: true },
  { name: 'a CALLRESULT with an array payload', text: '[3,"a",[]]', code: 'FormatViolation', messageId: 'a', answer: false },
  { name: 'a CALLRESULT with a numeric id', text: '[3,1,{}]', code: 'RpcFrameworkError', messageId: '-1', answer: false },
  { name: 'a CALLERROR with a numeric code', text: '[4,"a",5,"",{}]', code: 'RpcFrameworkError', messageId: 'a', answer: false },
  { name: 'a CALL with a 37-character id', text: `[2,"${'x'.repeat(37)}","Heartbeat",{}]`, code: 'RpcFrameworkError', messageId: 'x'.repeat(37), answer: true },
  { name: 'a CALLRESULT with a 37-character id', text: `[3,"${'x'.repeat(37)}",{}]`, code: 'RpcFrameworkError', messageId: 'x'.repeat(37), answer: false },
  { name: 'a CALL nested 30,000 deep', text: `[2,"d","Heartbeat",{"customData":${'['.repeat(30_000)}${']'.repeat(30_000)}}]`, code: 'FormatViolation', messageId: 'd', answer: true },
  { name: 'a CALLRESULT nested too deep', text: `[3,"d",{"a":${'['.repeat(40)}${']'.repeat(40)}}]`, code: 'FormatViolation', messageId: 'd', answer: false },
  { name: 'a too deep frame whose id cannot be read', text: `[2,${'['.repeat(40)}${']'.repeat(40)}]`, code: 'RpcFrameworkError', messageId: '-1', answer: true },
];

describe('parseFrame', () => {
  it.each(BAD)('refuses $name', ({ text, code, messageId, answer }) => {
    const result = parseFrame(text, '2.0.1');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.bad).toMatchObject({ error: { code }, messageId, answer });
  });

  it('accepts a 36-character message id', () => {
    expect(parseFrame(`[2,"${'x'.repeat(36)}","Heartbeat",{}]`, '1.6').ok).toBe(true);
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    const nested = (levels: number) => `[2,"n","DataTransfer",${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}]`;
    expect(parseFrame(nested(DEFAULT_MAX_FRAME_DEPTH), '2.0.1').ok).toBe(true);
    expect(parseFrame(nested(DEFAULT_MAX_FRAME_DEPTH + 1), '2.0.1').ok).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(`["${'['.repeat(100)}", "\\", "\\"[[[["]`, 1)).toBe(false);
    expect(nestsDeeperThan('[[1]]', 1)).toBe(true);
  });

  it('reads a CALL', () => {
    expect(parseFrame('[2,"a","Heartbeat",{}]', '1.6')).toEqual({
      ok: true,
      frame: { type: 'call', messageId: 'a', action: 'Heartbeat', payload: {} },
    });
  });

  it('reads a CALLRESULT', () => {
    expect(parseFrame('[3,"a",{"x":1}]', '1.6')).toEqual({ ok: true, frame: { type: 'callResult', messageId: 'a', payload: { x: 1 } } });
  });

  it('reads a CALLERROR that leaves out its details', () => {
    expect(parseFrame('[4,"a","GenericError","oops"]', '1.6')).toEqual({
      ok: true,
      frame: { type: 'callError', messageId: 'a', errorCode: 'GenericError', description: 'oops', details: {} },
    });
  });

  it.each<[OcppVersion, boolean]>([
    ['1.6', false],
    ['2.0.1', true],
    ['2.1', true],
  ])('answers an unknown message type in OCPP %s: %s', (version, answer) => {
    const result = parseFrame('[7,"a"]', version);
    expect(result).toMatchObject({ ok: false, bad: { error: { code: 'MessageTypeNotSupported' }, messageId: 'a', answer } });
  });

  it.each<OcppVersion>(['1.6', '2.0.1'])('treats SEND as unknown before OCPP 2.1 (%s)', (version) => {
    expect(parseFrame('[6,"a","NotifyPeriodicEventStream",{}]', version).ok).toBe(false);
  });

  it('reads a SEND and a CALLRESULTERROR in OCPP 2.1', () => {
    expect(parseFrame('[6,"a","X",{}]', '2.1')).toMatchObject({ ok: true, frame: { type: 'send', action: 'X' } });
    expect(parseFrame('[5,"a","FormatViolation","",{}]', '2.1')).toMatchObject({ ok: true, frame: { type: 'callResultError' } });
  });
});

describe('peekFrameHead', () => {
  it('reads type and id from the start of a frame', () => {
    expect(peekFrameHead(' [ 2 , "abc\\"d" , "DataTransfer", {')).toEqual({ messageType: 2, messageId: 'abc"d' });
  });

  it('reads nothing from text that does not start like a frame', () => {
    expect(peekFrameHead('xxxx')).toEqual({ messageType: undefined, messageId: undefined });
  });
});

describe('encodeCallError', () => {
  it('writes a CALLRESULTERROR with type 5 when asked', () => {
    expect(JSON.parse(encodeCallError('a', 'FormatViolation', 'd', {}, true))).toEqual([5, 'a', 'FormatViolation', 'd', {}]);
  });
});
