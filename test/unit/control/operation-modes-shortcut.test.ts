import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { effectiveMode, idleModeStrategy, IDLE_SOURCE, mayBeInMode, OPERATION_MODES } from '../../../src/control/operation-modes.js';
import type { ChargingProfile, OperationMode } from '../../../src/energy/charging-profile.js';
import type { Decision, SiteSnapshot } from '../../../src/energy/strategy.js';
import { aRoot, anActive, anEvse, T0 } from './builders.js';

const KEYS = ['A/1', 'A/2', 'B/1', 'C/1', 'C/2'];
const STATIONS = ['A', 'B', 'C'];

/** The Idle strategy as it read every EVSE's mode before the shortcut (the reference). */
function idleDecisionsReadingEach(snapshot: SiteSnapshot): Decision[] {
  const out: Decision[] = [];
  for (const evse of snapshot.evses) {
    if (effectiveMode(snapshot, evse) !== 'Idle') continue;
    out.push({ evseKey: evse.key, maxCurrentA: 0, source: IDLE_SOURCE, reason: 'operation mode Idle: not charging' });
  }
  return out;
}

const modeArb = fc.constantFrom<OperationMode>(...OPERATION_MODES);

const profileArb: fc.Arbitrary<ChargingProfile> = fc.record({
  id: fc.integer({ min: 1, max: 9 }),
  stackLevel: fc.integer({ min: 0, max: 3 }),
  purpose: fc.constantFrom('TxDefaultProfile' as const, 'TxProfile' as const, 'ChargingStationMaxProfile' as const),
  evseId: fc.integer({ min: 0, max: 2 }),
  startOffsetS: fc.integer({ min: -600, max: 600 }),
  operationMode: fc.option(modeArb, { nil: undefined }),
  transactionId: fc.option(fc.constantFrom('tx-A/1', 'tx-B/1', 'other'), { nil: undefined }),
}).map(({ id, stackLevel, purpose, evseId, startOffsetS, operationMode, transactionId }) => ({
  id,
  stackLevel,
  purpose,
  kind: 'Absolute',
  evseId,
  ...(transactionId !== undefined ? { transactionId } : {}),
  schedules: [{ rateUnit: 'A', startScheduleMs: T0 + startOffsetS * 1000, periods: [{ startPeriodS: 0, limit: 16, ...(operationMode ? { operationMode } : {}) }] }],
}));

const snapshotArb: fc.Arbitrary<SiteSnapshot> = fc.record({
  keys: fc.subarray(KEYS, { minLength: 1 }),
  modes: fc.dictionary(fc.constantFrom(...KEYS), modeArb, { maxKeys: 5 }),
  csmsProfiles: fc.dictionary(fc.constantFrom(...STATIONS), fc.array(profileArb, { maxLength: 3 }), { maxKeys: 3 }),
  active: fc.boolean(),
}).map(({ keys, modes, csmsProfiles, active }) => ({
  nowMs: T0,
  circuits: [aRoot({ meterId: undefined })],
  evses: keys.map((k) => anEvse(k)),
  live: Object.fromEntries(keys.map((k) => [k, anActive(k, { active })])),
  meters: {},
  meterRoles: {},
  modes,
  csmsProfiles,
}));

describe('the Idle strategy skips reading each EVSE when none can be Idle', () => {
  it('decides as it did reading every EVSE (fast-check)', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        expect(idleModeStrategy().decide(snapshot, null).decisions).toEqual(idleDecisionsReadingEach(snapshot));
      }),
      { numRuns: 500 },
    );
  });

  it('answers "may be" whenever some EVSE is in the mode (fast-check)', () => {
    fc.assert(
      fc.property(snapshotArb, modeArb, (snapshot, mode) => {
        if (snapshot.evses.some((e) => effectiveMode(snapshot, e) === mode)) expect(mayBeInMode(snapshot, mode)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('says no for Idle with no CSMS profile and no Idle mode, and yes for one Idle mode', () => {
    const base = { nowMs: T0, circuits: [aRoot({ meterId: undefined })], evses: [anEvse('A/1')], live: {}, meters: {}, meterRoles: {}, csmsProfiles: { A: [] } };
    expect(mayBeInMode({ ...base, modes: { 'A/1': 'ChargingOnly' } }, 'Idle')).toBe(false);
    expect(mayBeInMode({ ...base, modes: { 'A/1': 'Idle' } }, 'Idle')).toBe(true);
  });
});
