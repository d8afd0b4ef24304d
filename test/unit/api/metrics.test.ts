import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { HubMetrics, type HubMetricsDeps } from '../../../src/api/metrics.js';
import type { EvseEnergyView, SiteView } from '../../../src/api/energy-queries.js';
import { anEvseView } from './evse-view-fixture.js';
import type { CallInfo } from '../../../src/ocpp/rpc-peer.js';
import { parsePromText, sampleValue } from '../../integration/api/prom-text.js';

const budget = (limitA: number, nonEvA: number, allocatedA: number) => ({ limitA, nonEvA, availableA: limitA - nonEvA - 1, allocatedA });

function site(): SiteView {
  return {
    nowMs: 0,
    meters: {},
    circuits: [{ circuitId: 'main', phases: { L1: budget(32, 5, 10), L2: budget(32, 3, 10), L3: budget(32, 0, 0) } }],
    staleCircuits: {},
    evses: [],
    dispatch: { writes: 0, accepted: 0, rejected: 0, failed: 0 },
  };
}

function evse(over: Partial<EvseEnergyView> = {}): EvseEnergyView {
  return anEvseView({ active: true, offeredA: 13, drawnA: [12.5], limit: { maxCurrentA: 13, source: 'circuit:main' }, ...over });
}

function metrics(over: Partial<HubMetricsDeps> = {}): HubMetrics {
  return new HubMetrics({
    stationsConnected: () => 3,
    energy: { site, evses: () => [evse()] },
    controlStats: () => ({ decisions: 7, triggers: 9, lastDurationMs: 2, maxDurationMs: 5, totalDurationMs: 20, failures: 1, superseded: 0, stepped: 0 }),
    ...over,
  });
}

async function scrape(m: HubMetrics) {
  return parsePromText(await m.scrape());
}

describe('hub metrics', () => {
  it('read the site and EVSE views once per scrape, and afresh at the next one', async () => {
    const reads = { site: 0, evses: 0 };
    let offeredA = 13;
    const m = metrics({ energy: { site: () => (reads.site++, site()), evses: () => (reads.evses++, [evse({ offeredA })]) } });
    const first = await scrape(m);
    expect(reads).toEqual({ site: 1, evses: 1 });
    expect(sampleValue(first.samples, 'switchyard_evse_offered_amperes', { evse: 'CP1/1' })).toBe(13);
    offeredA = 8;
    const second = await scrape(m);
    expect(reads).toEqual({ site: 2, evses: 2 });
    expect(sampleValue(second.samples, 'switchyard_evse_offered_amperes', { evse: 'CP1/1' })).toBe(8);
  });

  it('read gauges from the hub at scrape time', async () => {
    const { samples, types } = await scrape(metrics());
    expect(sampleValue(samples, 'switchyard_stations_connected')).toBe(3);
    expect(sampleValue(samples, 'switchyard_control_decisions_total')).toBe(7);
    expect(sampleValue(samples, 'switchyard_control_decision_failures_total')).toBe(1);
    expect(sampleValue(samples, 'switchyard_circuit_limit_amperes', { circuit: 'main', phase: 'L1' })).toBe(32);
    expect(sampleValue(samples, 'switchyard_circuit_allocated_amperes', { circuit: 'main', phase: 'L1' })).toBe(15);
    expect(sampleValue(samples, 'switchyard_evse_offered_amperes', { evse: 'CP1/1' })).toBe(13);
    expect(sampleValue(samples, 'switchyard_evse_drawn_amperes', { evse: 'CP1/1', phase: 'L2' })).toBe(12.5);
    expect(sampleValue(samples, 'switchyard_evse_limit_amperes', { evse: 'CP1/1' })).toBe(13);
    expect(sampleValue(samples, 'switchyard_evse_limit_source_info', { evse: 'CP1/1', source: 'circuit' })).toBe(1);
    expect(types.switchyard_ocpp_messages_total).toBe('counter');
  });

  it('keep a histogram of decision wall times, fed at every decision', async () => {
    let timed: ((ms: number) => void) | undefined;
    const m = metrics({ onDecisionTimed: (l) => (timed = l) });
    timed?.(2);
    timed?.(40);
    const { samples, types } = await scrape(m);
    expect(types.switchyard_control_decision_seconds).toBe('histogram');
    expect(sampleValue(samples, 'switchyard_control_decision_seconds_count')).toBe(2);
    expect(sampleValue(samples, 'switchyard_control_decision_seconds_sum')).toBeCloseTo(0.042);
    expect(sampleValue(samples, 'switchyard_control_decision_seconds_bucket', { le: '0.005' })).toBe(1);
  });

  it('count OCPP frames and bytes per direction and action through the traffic counter', async () => {
    const m = metrics();
    m.traffic.record('in', 'BootNotification', 120);
    m.traffic.record('out', 'BootNotification', 80);
    m.traffic.record('in', 'Heartbeat', 20);
    m.traffic.record('in', 'Heartbeat', 20);
    const { samples } = await scrape(m);
    expect(sampleValue(samples, 'switchyard_ocpp_messages_total', { direction: 'in', action: 'Heartbeat' })).toBe(2);
    expect(sampleValue(samples, 'switchyard_ocpp_messages_total', { direction: 'out', action: 'BootNotification' })).toBe(1);
    expect(sampleValue(samples, 'switchyard_ocpp_bytes_total', { direction: 'in' })).toBe(160);
  });

  it('count finished calls of an observed peer with their outcome', async () => {
    const m = metrics();
    const peer = new EventEmitter();
    m.observePeer(peer);
    const info = (action: string, errorCode?: string): CallInfo => ({ action, messageId: 'm', durationMs: 1, ...(errorCode ? { errorCode } : {}) });
    peer.emit('callIn', info('Authorize'));
    peer.emit('callOut', info('SetChargingProfile', 'GenericError'));
    const { samples } = await scrape(m);
    expect(sampleValue(samples, 'switchyard_ocpp_calls_total', { direction: 'in', action: 'Authorize', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'switchyard_ocpp_calls_total', { direction: 'out', action: 'SetChargingProfile', outcome: 'error' })).toBe(1);
  });

  it('label actions that are not plain names as other, so a peer cannot blow up the label set', async () => {
    const m = metrics();
    m.traffic.record('in', 'Bad action "with" quotes', 10);
    m.traffic.record('in', 'x'.repeat(500), 10);
    const { samples } = await scrape(m);
    expect(sampleValue(samples, 'switchyard_ocpp_messages_total', { direction: 'in', action: 'other' })).toBe(2);
  });

  it('read upstream bytes and outbox depth from a registered provider, the fallback until then', async () => {
    const m = metrics({ outboxDepth: () => 4 });
    let parsed = await scrape(m);
    expect(sampleValue(parsed.samples, 'switchyard_upstream_bytes_total', { direction: 'out' })).toBe(0);
    expect(sampleValue(parsed.samples, 'switchyard_outbox_depth')).toBe(4);
    m.registerUpstreamMetrics({ bytes: () => ({ in: 1000, out: 2500 }), outboxDepth: () => 17 });
    parsed = await scrape(m);
    expect(sampleValue(parsed.samples, 'switchyard_upstream_bytes_total', { direction: 'out' })).toBe(2500);
    expect(sampleValue(parsed.samples, 'switchyard_upstream_bytes_total', { direction: 'in' })).toBe(1000);
    expect(sampleValue(parsed.samples, 'switchyard_outbox_depth')).toBe(17);
  });

  it('report the outbox against its bound: bytes held and bound, pressure, rows compacted', async () => {
    const m = metrics({ outboxPressure: () => ({ payloadBytes: 900, boundBytes: 1000, pressure: 'compacting', rowsMerged: 42, statusesDropped: 3 }) });
    const { samples } = await scrape(m);
    expect(sampleValue(samples, 'switchyard_outbox_bytes', { kind: 'held' })).toBe(900);
    expect(sampleValue(samples, 'switchyard_outbox_bytes', { kind: 'bound' })).toBe(1000);
    expect(sampleValue(samples, 'switchyard_outbox_pressure')).toBe(1);
    expect(sampleValue(samples, 'switchyard_outbox_compacted_total', { kind: 'merged' })).toBe(42);
    expect(sampleValue(samples, 'switchyard_outbox_compacted_total', { kind: 'status_dropped' })).toBe(3);
  });

  it('keep each hub in a registry of its own', async () => {
    const a = metrics();
    const b = metrics();
    a.traffic.record('in', 'Heartbeat', 5);
    const { samples } = await scrape(b);
    expect(sampleValue(samples, 'switchyard_ocpp_messages_total', { direction: 'in', action: 'Heartbeat' })).toBeUndefined();
  });

  it('drop EVSE samples that no longer apply (no offer, no draw)', async () => {
    const { samples } = await scrape(metrics({ energy: { site, evses: () => [evse({ active: false, offeredA: undefined, drawnA: undefined, limit: undefined })] } }));
    expect(samples.filter((s) => s.name.startsWith('switchyard_evse_'))).toEqual([]);
  });
});
