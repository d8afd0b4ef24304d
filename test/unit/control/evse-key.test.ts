import { describe, expect, it } from 'vitest';
import { evseKeyOf, parseEvseKey } from '../../../src/control/evse-key.js';

describe('EVSE keys', () => {
  it('round-trips a station id and an EVSE id', () => {
    expect(parseEvseKey(evseKeyOf('garage.A-1', 3))).toEqual({ stationId: 'garage.A-1', evseId: 3 });
  });

  it('rejects keys without a positive integer EVSE id', () => {
    expect([parseEvseKey('cs1'), parseEvseKey('cs1/0'), parseEvseKey('cs1/x'), parseEvseKey('/1')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
