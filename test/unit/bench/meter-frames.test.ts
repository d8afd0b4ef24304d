import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meterFrames } from '../../../bench/meter-frames.js';
import { meterCall, type MeterSample } from '../../../bench/ocpp-frames.js';

/*
 * The load generator writes its steady meter frames as text from parts made once per charger.
 * Property: for any charger (version, transaction id) and any message (call id, seqNo, time,
 * sample), the text is exactly what serialising `meterCall`'s payload gives, so the hub receives
 * the same bytes as before.
 */

const sampleArb: fc.Arbitrary<MeterSample> = fc.record(
  {
    energyWh: fc.oneof(fc.nat(), fc.double({ noNaN: true, min: -1e9, max: 1e12 })),
    powerW: fc.oneof(fc.constant(11_040), fc.integer({ min: -50_000, max: 50_000 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 })),
    currentA: fc.oneof(fc.constant(16), fc.double({ noNaN: true, min: -100, max: 100 })),
    voltageV: fc.oneof(fc.constant(230), fc.double({ noNaN: true, min: 0, max: 500 })),
    socPercent: fc.integer({ min: 0, max: 100 }),
    phases: fc.constantFrom<1 | 2 | 3>(1, 2, 3),
  },
  { requiredKeys: ['energyWh', 'powerW', 'currentA', 'voltageV', 'socPercent'] },
);

describe('bench meter frames written as text', () => {
  it('equal the serialised meterCall for any charger and message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'1.6' | '2.0.1'>('1.6', '2.0.1'),
        fc.oneof(fc.nat().map(String), fc.string(), fc.constant('BENCH-00001-TX')),
        fc.oneof(fc.nat().map(String), fc.string()),
        fc.nat(),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        sampleArb,
        (version, transactionId, id, seqNo, atMs, sample) => {
          const call = meterCall(version, transactionId, seqNo, atMs, sample);
          expect(meterFrames(version, transactionId).frame(id, seqNo, atMs, sample)).toBe(JSON.stringify([2, id, call.action, call.payload]));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
