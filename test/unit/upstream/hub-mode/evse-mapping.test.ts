import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, EMPTY_MAPPING, toDownstream, toUpstream, upstreamEvsesOfStation } from '../../../../src/upstream/hub-mode/evse-mapping.js';

const key = (stationId: string, evseId: number, connectorId = 1) => ({ stationId, evseId, connectorId });

describe('evse mapping', () => {
  it('numbers new downstream EVSEs 1, 2, 3 in the order given', () => {
    const { mapping } = assign(EMPTY_MAPPING, [key('b', 1), key('a', 1), key('a', 2)]);
    expect(mapping.entries.map((e) => [e.stationId, e.evseId, e.upstreamEvseId, e.upstreamConnectorId])).toEqual([
      ['b', 1, 1, 1],
      ['a', 1, 2, 1],
      ['a', 2, 3, 1],
    ]);
  });

  it('gives a second connector of a mapped EVSE the same upstream EVSE and the next connector id', () => {
    const first = assign(EMPTY_MAPPING, [key('a', 1, 1), key('b', 1)]);
    const { added } = assign(first.mapping, [key('a', 1, 2)]);
    expect(added).toEqual([{ stationId: 'a', evseId: 1, connectorId: 2, upstreamEvseId: 1, upstreamConnectorId: 2 }]);
  });

  it('rejects EVSE or connector 0 and maps nothing for them', () => {
    const r = assign(EMPTY_MAPPING, [key('a', 0), key('a', 1, 0), key('', 1)]);
    expect(r.rejected).toHaveLength(3);
    expect(r.mapping.entries).toHaveLength(0);
  });

  it('looks up both ways', () => {
    const { mapping } = assign(EMPTY_MAPPING, [key('a', 1), key('b', 2), key('b', 3)]);
    expect(toUpstream(mapping, key('b', 3))?.upstreamEvseId).toBe(3);
    expect(toDownstream(mapping, 2)).toMatchObject({ stationId: 'b', evseId: 2 });
    expect(toDownstream(mapping, 2, 2)).toBeUndefined();
    expect(upstreamEvsesOfStation(mapping, 'b')).toEqual([2, 3]);
  });

  it('never renumbers an existing entry, whatever is assigned later (property)', () => {
    const keyArb = fc.record({ stationId: fc.constantFrom('a', 'b', 'c'), evseId: fc.integer({ min: 0, max: 4 }), connectorId: fc.integer({ min: 0, max: 2 }) });
    fc.assert(
      fc.property(fc.array(fc.array(keyArb, { maxLength: 6 }), { maxLength: 6 }), (batches) => {
        let mapping = EMPTY_MAPPING;
        for (const batch of batches) {
          const before = mapping.entries;
          mapping = assign(mapping, batch).mapping;
          expect(mapping.entries.slice(0, before.length)).toEqual(before);
        }
        const pairs = mapping.entries.map((e) => `${e.upstreamEvseId}/${e.upstreamConnectorId}`);
        expect(new Set(pairs).size).toBe(pairs.length);
      }),
    );
  });
});
