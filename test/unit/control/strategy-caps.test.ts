import { describe, expect, it } from 'vitest';
import { addDecisionCaps, capsOfDecision } from '../../../src/control/strategy-caps.js';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import { anEvse } from './builders.js';

describe('strategy decisions as caps', () => {
  it('turns a charging setpoint into the current giving that power on the phases in use', () => {
    const evse = anEvse('cs1/1', { phases: 1, phaseRotation: ['L1'] });
    expect(capsOfDecision({ evseKey: 'cs1/1', setpointW: 2300, source: 'setpoint', reason: 'r' }, evse)).toEqual([
      { maxCurrentA: 10, source: 'setpoint', reason: 'r' },
    ]);
  });

  it('holds charging at 0 A for a discharge setpoint', () => {
    const caps = capsOfDecision({ evseKey: 'cs1/1', setpointW: -3000, source: 'setpoint', reason: 'r' }, anEvse('cs1/1'));
    expect(caps.map((c) => c.maxCurrentA)).toEqual([0]);
  });

  it('applies a decision without evseKey to every EVSE', () => {
    const caps: Record<string, CurrentLimit[]> = {};
    addDecisionCaps(caps, [{ maxCurrentA: 10, source: 'site', reason: 'r' }], [anEvse('a/1'), anEvse('b/1')]);
    expect(Object.keys(caps)).toEqual(['a/1', 'b/1']);
  });

  it('ignores decisions for EVSEs it does not know', () => {
    const caps: Record<string, CurrentLimit[]> = {};
    addDecisionCaps(caps, [{ evseKey: 'x/9', maxCurrentA: 10, source: 's', reason: 'r' }], [anEvse('a/1')]);
    expect(caps).toEqual({});
  });
});
