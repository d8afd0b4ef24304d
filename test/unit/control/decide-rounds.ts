import fc from 'fast-check';
import type { CurrentLimit } from '../../../src/energy/limit.js';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { CircuitNode, EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import type { SiteSnapshot, Strategy } from '../../../src/energy/strategy.js';
import { aGridReading, anActive, anEvse, T0 } from './builders.js';

/*
 * Random sequences of decision inputs on a five-EVSE site: live states, controllability, draws,
 * caps, circuit limits, the grid meter (fresh, stale, missing), an EVSE's max and time change or
 * stay from one round to the next (decide-previous.test.ts, decide-reference.test.ts).
 */

export const KEYS = ['cs0/1', 'cs1/1', 'cs2/1', 'cs3/1', 'cs4/1'];
export const EVSES: EvseModel[] = [
  anEvse('cs0/1', { circuitId: 'main', maxCurrentA: 16 }),
  anEvse('cs1/1', { circuitId: 'row', phases: 1, phaseRotation: ['L2'], maxCurrentA: 32 }),
  anEvse('cs2/1', { circuitId: 'row', phaseRotation: ['L2', 'L3', 'L1'], maxCurrentA: 16, priority: 2 }),
  anEvse('cs3/1', { circuitId: 'main', maxCurrentA: 32, maxPowerW: 11_000 }),
  anEvse('cs4/1', { circuitId: 'nowhere', maxCurrentA: 16 }),
];

const liveArb = fc.constantFrom('same', 'equal copy', 'new draw', 'inactive', 'gone');
export const roundArb = fc.record({
  advanceS: fc.integer({ min: 0, max: 40 }),
  live: fc.array(liveArb, { minLength: KEYS.length, maxLength: KEYS.length }),
  drawA: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: KEYS.length, maxLength: KEYS.length }),
  controllable: fc.array(fc.boolean(), { minLength: KEYS.length, maxLength: KEYS.length }),
  capA: fc.array(fc.option(fc.constantFrom(0, 5, 8, 10, 16), { nil: undefined }), { minLength: KEYS.length, maxLength: KEYS.length }),
  mainA: fc.constantFrom(32, 40, 63),
  rowA: fc.constantFrom(10, 20, 32),
  gridA: fc.integer({ min: 0, max: 60 }),
  meter: fc.constantFrom('fresh', 'fresh', 'fresh', 'stale', 'missing'),
  strategyCapA: fc.option(fc.constantFrom(6, 9, 12), { nil: undefined }),
  previousBack: fc.nat(),
  /** cs0/1's max, A (its model object new when it changes). */
  maxA: fc.constantFrom(16, 16, 10),
});
export type Round = typeof roundArb extends fc.Arbitrary<infer T> ? T : never;

/** A strategy that caps cs2/1 when told to (its state counts its calls, so states thread too). */
export function capper(capA: () => number | undefined): Strategy<number> {
  return {
    name: 'capper',
    initialState: () => 0,
    decide: (_snapshot, n) => {
      const a = capA();
      return { decisions: a === undefined ? [] : [{ evseKey: 'cs2/1', maxCurrentA: a, source: 'strategy:capper', reason: `cap ${a}` }], state: n + 1 };
    },
  };
}

/** The snapshots of a random sequence of rounds (the circuits' objects new only when a limit changed). */
export function snapshotsOf(rounds: Round[]): SiteSnapshot[] {
  let nowMs = T0;
  let live: Record<string, EvseLiveState> = {};
  let circuits: CircuitNode[] | undefined;
  let evses = EVSES;
  const out: SiteSnapshot[] = [];
  for (const r of rounds) {
    nowMs += r.advanceS * 1000;
    const next: Record<string, EvseLiveState> = {};
    KEYS.forEach((key, i) => {
      const before = live[key];
      const change = r.live[i];
      const controllable = r.controllable[i] ?? true;
      if (change === 'same' && before && before.controllable === controllable) next[key] = before;
      else if (change === 'equal copy' && before) next[key] = { ...before, controllable };
      else if (change === 'inactive') next[key] = { key, active: false, controllable };
      else if (change !== 'gone') {
        const a = r.drawA[i] ?? 0;
        next[key] = anActive(key, { controllable, measuredCurrentA: [a, a, a], samples: [{ timeMs: nowMs, currentA: [a, a, a] }] });
      }
    });
    live = next;
    const main = circuits?.[0];
    const row = circuits?.[1];
    circuits =
      main?.maxCurrentA.L1 === r.mainA && row?.maxCurrentA.L1 === r.rowA
        ? circuits
        : [
            { id: 'main', maxCurrentA: { L1: r.mainA, L2: r.mainA, L3: r.mainA }, meterId: 'grid' },
            { id: 'row', parentId: 'main', maxCurrentA: { L1: r.rowA, L2: r.rowA, L3: r.rowA } },
          ];
    if (evses[0]?.maxCurrentA !== r.maxA) evses = [{ ...(EVSES[0] as EvseModel), maxCurrentA: r.maxA }, ...EVSES.slice(1)];
    const evseCaps: Record<string, CurrentLimit[]> = {};
    KEYS.forEach((key, i) => {
      const a = r.capA[i];
      if (a !== undefined) evseCaps[key] = [{ maxCurrentA: a, source: 'override:api', reason: `${a} A` }];
    });
    const meters: Record<string, AgedReading> = r.meter === 'missing' ? {} : { grid: aGridReading(r.gridA, nowMs, r.meter === 'stale' ? { stale: true, ageS: 120 } : {}) };
    out.push({ nowMs, circuits: circuits ?? [], evses, live, meters, meterRoles: { gridMeterId: 'grid' }, modes: {}, csmsProfiles: {}, evseCaps });
  }
  return out;
}

