import { describe, expect, it } from 'vitest';
import { perPhase, type PerPhase } from '../../../src/energy/phases.js';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { Decision, SiteSnapshot } from '../../../src/energy/strategy.js';
import { loadBalancing, type LoadBalancingParams } from '../../../strategies/load-balancing/index.js';
import { aCircuit, anEvse, liveOf } from '../energy/allocation-builders.js';

function aReading(meterId: string, currentA: Partial<PerPhase> | undefined, overrides: Partial<AgedReading> = {}): AgedReading {
  return { meterId, timeMs: 0, currentA, ageS: 1, stale: false, ...overrides };
}

function twoEvseSnapshot(overrides: Partial<SiteSnapshot> = {}): SiteSnapshot {
  const evses = [anEvse({ key: 'a/1' }), anEvse({ key: 'b/1' })];
  return {
    nowMs: 0,
    circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(40) })],
    evses,
    live: liveOf(evses, { 'a/1': { measuredCurrentA: [10, 10, 10] }, 'b/1': { measuredCurrentA: [10, 10, 10] } }),
    meters: { grid: aReading('grid', perPhase(30)) },
    meterRoles: { gridMeterId: 'grid' },
    modes: {},
    csmsProfiles: {},
    ...overrides,
  };
}

const params: LoadBalancingParams = { marginA: 0, rotationPeriodS: 900, worstCaseNonEvA: { main: perPhase(20) } };

function byKey(decisions: Decision[]): Record<string, Decision> {
  return Object.fromEntries(decisions.map((d) => [d.evseKey ?? '', d]));
}

describe('load-balancing strategy', () => {
  it('takes the non-EV load as the grid meter minus what the EVs draw', () => {
    const lb = loadBalancing(params);
    const { decisions } = lb.decide(twoEvseSnapshot(), lb.initialState());
    // 30 A measured - 20 A of EVs = 10 A non-EV; 30 A left for two EVSEs.
    expect(byKey(decisions)['a/1']).toMatchObject({ maxCurrentA: 15, source: 'fuse:main' });
    expect(byKey(decisions)['b/1']).toMatchObject({ maxCurrentA: 15, source: 'fuse:main' });
  });

  it('returns one decision per EVSE, each with a reason', () => {
    const lb = loadBalancing(params);
    const { decisions } = lb.decide(twoEvseSnapshot(), lb.initialState());
    expect(decisions.map((d) => d.evseKey)).toEqual(['a/1', 'b/1']);
    for (const d of decisions) expect(d.reason.length).toBeGreaterThan(0);
  });

  it('falls back to base shares with source failsafe when the grid meter is stale', () => {
    const lb = loadBalancing(params);
    const snapshot = twoEvseSnapshot({ meters: { grid: aReading('grid', perPhase(30), { ageS: 120, stale: true }) } });
    const d = byKey(lb.decide(snapshot, lb.initialState()).decisions);
    // Base share: (40 A - 20 A worst case) / 2.
    expect(d['a/1']).toMatchObject({ maxCurrentA: 10, source: 'failsafe' });
    expect(d['b/1']).toMatchObject({ maxCurrentA: 10, source: 'failsafe' });
    expect(d['a/1']?.reason).toContain('stale');
  });

  it('says a grid meter that never reported has not reported yet, rather than giving its age', () => {
    const lb = loadBalancing(params);
    const silent: AgedReading = { meterId: 'grid', timeMs: 0, ageS: 1_800_000_000, stale: true };
    const d = byKey(lb.decide(twoEvseSnapshot({ meters: { grid: silent } }), lb.initialState()).decisions);
    expect(d['a/1']).toMatchObject({ maxCurrentA: 10, source: 'failsafe' });
    expect(d['a/1']?.reason).toContain('has not reported yet');
  });

  it('falls back to base shares when the grid meter has never reported', () => {
    const lb = loadBalancing(params);
    const d = byKey(lb.decide(twoEvseSnapshot({ meters: {} }), lb.initialState()).decisions);
    expect(d['a/1']).toMatchObject({ maxCurrentA: 10, source: 'failsafe' });
  });

  it('holds only the EVSEs below a stale sub-circuit meter at failsafe and counts that circuit as full', () => {
    const evses = [anEvse({ key: 'g/1', circuitId: 'garage' }), anEvse({ key: 'm/1', circuitId: 'main' })];
    const snapshot = twoEvseSnapshot({
      circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(60) }), aCircuit({ id: 'garage', parentId: 'main', maxCurrentA: perPhase(32), meterId: 'garage-meter' })],
      evses,
      live: liveOf(evses),
      meters: { grid: aReading('grid', perPhase(0)), 'garage-meter': aReading('garage-meter', perPhase(5), { ageS: 90, stale: true }) },
    });
    const lb = loadBalancing({ ...params, worstCaseNonEvA: { main: perPhase(20), garage: perPhase(0) } });
    const d = byKey(lb.decide(snapshot, lb.initialState()).decisions);
    // Base shares under the worst case: 40 A at main for two EVSEs, so 20 A each.
    expect(d['g/1']).toMatchObject({ maxCurrentA: 20, source: 'failsafe' });
    // The garage counts as full (32 A), so 28 A are left at main.
    expect(d['m/1']).toMatchObject({ maxCurrentA: 28, source: 'fuse:main' });
  });

  it('rotates paused EVSEs as time moves on, not before the period', () => {
    const evses = ['a/1', 'b/1', 'c/1'].map((key, i) => anEvse({ key, maxCurrentA: 16 + i }));
    const live = liveOf(evses, { 'a/1': { transactionStartedMs: 1 }, 'b/1': { transactionStartedMs: 2 }, 'c/1': { transactionStartedMs: 3 } });
    const base = twoEvseSnapshot({ circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(16) })], evses, live, meters: { grid: aReading('grid', perPhase(0)) } });
    const lb = loadBalancing(params);
    let state = lb.initialState();
    const paused: string[] = [];
    for (const nowMs of [0, 300_000, 600_000, 900_000, 1_200_000, 1_800_000]) {
      const out = lb.decide({ ...base, nowMs }, state);
      state = out.state;
      paused.push(out.decisions.filter((d) => d.maxCurrentA === 0).map((d) => `${d.evseKey}:${d.source}`).join(','));
    }
    expect(paused).toEqual([
      'c/1:paused:rotation',
      'c/1:paused:rotation',
      'c/1:paused:rotation',
      'b/1:paused:rotation',
      'b/1:paused:rotation',
      'a/1:paused:rotation',
    ]);
  });

  it('respects caps handed in with the snapshot and names their source', () => {
    const lb = loadBalancing(params);
    const snapshot = twoEvseSnapshot({ evseCaps: { 'a/1': [{ maxCurrentA: 8, source: 'csms:profile 3' }] } });
    const d = byKey(lb.decide(snapshot, lb.initialState()).decisions);
    expect(d['a/1']).toMatchObject({ maxCurrentA: 8, source: 'csms:profile 3' });
    expect(d['b/1']).toMatchObject({ maxCurrentA: 22, source: 'fuse:main' });
  });

  it('respects a temporary site import limit', () => {
    const lb = loadBalancing(params);
    // 30 A x 3 x 230 V = 20.7 kW in; 10 A of it non-EV = 6.9 kW. Limit 20.7 kW leaves 13.8 kW = 20 A for EVs.
    const snapshot = twoEvseSnapshot({ siteLimitW: { powerW: 20_700, source: 'cron:peak' } });
    const d = byKey(lb.decide(snapshot, lb.initialState()).decisions);
    expect(d['a/1']).toMatchObject({ maxCurrentA: 10, source: 'cron:peak' });
  });

  it('puts all of a power-only meter reading on every phase', () => {
    const lb = loadBalancing(params);
    // 18.4 kW = 80 A-phases at 230 V; the EVs draw 60 of them, so 20 A non-EV, counted on every phase.
    const snapshot = twoEvseSnapshot({ meters: { grid: aReading('grid', undefined, { powerW: 18_400 }) } });
    const d = byKey(lb.decide(snapshot, lb.initialState()).decisions);
    expect(d['a/1']?.maxCurrentA).toBe(10);
  });

  it('assumes the configured worst case on a circuit without a meter', () => {
    const evses = [anEvse({ key: 'g/1', circuitId: 'garage' })];
    const snapshot = twoEvseSnapshot({
      circuits: [aCircuit({ id: 'main', maxCurrentA: perPhase(100) }), aCircuit({ id: 'garage', parentId: 'main', maxCurrentA: perPhase(32) })],
      evses,
      live: liveOf(evses),
      meters: { grid: aReading('grid', perPhase(0)) },
    });
    const lb = loadBalancing({ ...params, worstCaseNonEvA: { main: perPhase(20), garage: perPhase(12) } });
    const d = byKey(lb.decide(snapshot, lb.initialState()).decisions);
    expect(d['g/1']).toMatchObject({ maxCurrentA: 20, source: 'circuit:garage' });
  });
});
