import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { RPCClient } from 'ocpp-rpc';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { startTestHub, ocppClient, boot16, type Harness } from '../../helpers/hub-harness.js';
import { parsePromText, sampleValue, type PromSample } from './prom-text.js';
import { energyQueries } from '../../../src/energy-queries-impl.js';
import { familyBlocks, referenceFamilies, REFERENCE_FAMILIES } from '../../unit/api/metrics-reference.js';

/** /metrics of a real hub with a strict ocpp-rpc client connected, scraped and parsed. */
const SITE = `
energy: { marginA: 1, debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 0 }
  - { id: row, parent: main, maxCurrentA: 25 }
stations:
  - { id: CP16, securityProfile: 0, evses: [{ id: 1, circuit: row, phases: 3, maxCurrentA: 16 }] }
authorization:
  list: [{ idToken: GOOD-TAG }]
`;

let h: Harness;
let clock: FakeClock;
let cp: RPCClient;

beforeAll(async () => {
  clock = new FakeClock();
  h = await startTestHub(SITE, { clock });
  cp = ocppClient(h.hub.ocppUrl, 'CP16');
  cp.handle(async () => ({ status: 'Accepted' }));
  await cp.connect();
  await cp.call('BootNotification', boot16);
  await cp.call('Heartbeat', {});
  await cp.call('Heartbeat', {});
  const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'GOOD-TAG', meterStart: 0, timestamp: new Date(clock.nowMs()).toISOString() })) as { transactionId: number };
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [
      {
        timestamp: new Date(clock.nowMs()).toISOString(),
        sampledValue: [
          ...['L1', 'L2', 'L3'].map((phase, i) => ({ value: String(10 + i), measurand: 'Current.Import', phase, unit: 'A' })),
          { value: '1.5', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
        ],
      },
    ],
  });
  clock.advanceMs(200);
});

afterAll(async () => {
  await cp?.close();
  await h?.stop();
});

async function scrape(): Promise<{ samples: PromSample[]; types: Record<string, string>; contentType: string }> {
  const res = await h.hub.api.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return { ...parsePromText(res.body), contentType: String(res.headers['content-type']) };
}

describe('the /metrics endpoint', () => {
  it('serves the Prometheus text format with every metric family named', async () => {
    const { types, contentType } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(types).toMatchObject({
      switchyard_stations_connected: 'gauge',
      switchyard_ocpp_messages_total: 'counter',
      switchyard_ocpp_bytes_total: 'counter',
      switchyard_ocpp_calls_total: 'counter',
      switchyard_upstream_bytes_total: 'counter',
      switchyard_outbox_depth: 'gauge',
      switchyard_control_decisions_total: 'counter',
      switchyard_control_decision_seconds: 'histogram',
      switchyard_circuit_allocated_amperes: 'gauge',
      switchyard_meter_current_amperes: 'gauge',
      switchyard_meter_reading_age_seconds: 'gauge',
      switchyard_meter_stale: 'gauge',
      switchyard_circuit_failsafe: 'gauge',
      switchyard_station_connected: 'gauge',
      switchyard_evse_power_watts: 'gauge',
      switchyard_evse_limit_source_info: 'gauge',
      switchyard_transactions_started_total: 'counter',
      switchyard_transactions_ended_total: 'counter',
      switchyard_evse_energy_joules_total: 'counter',
      switchyard_profile_writes_total: 'counter',
      switchyard_build_info: 'gauge',
      switchyard_circuit_limit_amperes: 'gauge',
      switchyard_evse_offered_amperes: 'gauge',
      switchyard_evse_drawn_amperes: 'gauge',
      switchyard_evse_limit_amperes: 'gauge',
    });
  });

  it('follows the Prometheus naming rules: counters end in _total, base units, no label carrying a value', async () => {
    const { samples, types } = await scrape();
    const ours = Object.entries(types).filter(([name]) => name.startsWith('switchyard_'));
    expect(ours.length).toBeGreaterThan(20);
    for (const [name, type] of ours) {
      if (type === 'counter') expect(name, name).toMatch(/_total$/);
      else expect(name, name).not.toMatch(/_total$/);
      // Base units only: seconds, bytes, amperes, watts; no ms, kW, kWh, Wh, minutes.
      expect(name, name).not.toMatch(/_(milliseconds|ms|kilowatts|kw|kwh|wh|minutes|hours|percent)(_|$)/);
      if (type === 'gauge' && name.endsWith('_info')) {
        for (const s of samples.filter((x) => x.name === name)) expect(s.value, name).toBe(1);
      }
    }
    // Labels name things; values that change per decision (limits, sources with detail, numbers) stay out of them.
    const allowed = new Set(['direction', 'action', 'outcome', 'kind', 'circuit', 'phase', 'evse', 'window', 'meter', 'station', 'source', 'version', 'node', 'le']);
    for (const s of samples.filter((x) => x.name.startsWith('switchyard_'))) {
      for (const [label, value] of Object.entries(s.labels)) {
        expect(allowed.has(label), `${s.name}{${label}}`).toBe(true);
        if (label === 'source') expect(value, `${s.name}{source}`).toMatch(/^[a-z][a-z0-9_-]*$/);
      }
    }
  });

  it('exports the process metrics and the event-loop delay, so a stalled loop shows', async () => {
    const { samples, types } = await scrape();
    expect(types).toMatchObject({ nodejs_eventloop_lag_p99_seconds: 'gauge', process_resident_memory_bytes: 'gauge', process_open_fds: 'gauge' });
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it("counts an EVSE's lifetime energy in joules from its charger's register", async () => {
    const { samples } = await scrape();
    // 1.5 kWh reported by the charger = 5.4 MJ.
    expect(sampleValue(samples, 'switchyard_evse_energy_joules_total', { evse: 'CP16/1' })).toBe(1500 * 3600);
  });

  it('shows the connected station in the connections gauge', async () => {
    const { samples } = await scrape();
    expect(sampleValue(samples, 'switchyard_stations_connected')).toBe(1);
  });

  it('counts the station messages by action and direction, and the calls it made', async () => {
    const { samples } = await scrape();
    expect(sampleValue(samples, 'switchyard_ocpp_messages_total', { direction: 'in', action: 'Heartbeat' })).toBe(2);
    expect(sampleValue(samples, 'switchyard_ocpp_messages_total', { direction: 'out', action: 'Heartbeat' })).toBe(2);
    expect(sampleValue(samples, 'switchyard_ocpp_calls_total', { direction: 'in', action: 'BootNotification', outcome: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'switchyard_ocpp_bytes_total', { direction: 'in' })).toBeGreaterThan(0);
  });

  it('shows each circuit limit per phase and the EVSE drawn current on its grid phases', async () => {
    const { samples } = await scrape();
    expect(sampleValue(samples, 'switchyard_circuit_limit_amperes', { circuit: 'main', phase: 'L1' })).toBe(32);
    expect(sampleValue(samples, 'switchyard_circuit_limit_amperes', { circuit: 'row', phase: 'L3' })).toBe(25);
    expect(sampleValue(samples, 'switchyard_evse_drawn_amperes', { evse: 'CP16/1', phase: 'L2' })).toBe(11);
    expect(sampleValue(samples, 'switchyard_evse_limit_amperes', { evse: 'CP16/1' })).toEqual(expect.any(Number));
    const source = samples.find((s) => s.name === 'switchyard_evse_limit_source_info' && s.labels.evse === 'CP16/1');
    expect(source?.labels.source).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(sampleValue(samples, 'switchyard_control_decisions_total')).toBeGreaterThan(0);
  });

  it('reads upstream bytes and outbox depth from the provider the upstream side registers', async () => {
    expect(sampleValue((await scrape()).samples, 'switchyard_upstream_bytes_total', { direction: 'in' })).toBe(0);
    h.hub.metrics.registerUpstreamMetrics({ bytes: () => ({ in: 321, out: 654 }), outboxDepth: () => 3 });
    const { samples } = await scrape();
    expect(sampleValue(samples, 'switchyard_upstream_bytes_total', { direction: 'out' })).toBe(654);
    expect(sampleValue(samples, 'switchyard_outbox_depth')).toBe(3);
  });

  it('writes the per-EVSE and per-circuit families of a charging EVSE as the straightforward build from the full views does', async () => {
    // The station answers the hub's profile writes meanwhile: compare a scrape during which nothing changed.
    const reference = () => referenceFamilies(energyQueries(h.hub.energy, clock));
    let kept = new Map<string, string>();
    let fresh = new Map<string, string>();
    for (let settled = false; !settled; ) {
      const before = await reference();
      kept = familyBlocks((await h.hub.api.inject({ method: 'GET', url: '/metrics' })).body);
      fresh = await reference();
      settled = [...before].every(([name, text]) => fresh.get(name) === text);
    }
    const names = REFERENCE_FAMILIES.filter((n) => fresh.has(n));
    expect(names.length).toBe(8);
    for (const name of names) expect(kept.get(name), name).toBe(fresh.get(name));
    // The charging EVSE draws and has a limit, so those lines were compared, not only empty families.
    expect(kept.get('switchyard_evse_limit_amperes')).toContain('switchyard_evse_limit_amperes{evse="CP16/1"} ');
    expect(kept.get('switchyard_evse_drawn_amperes')).toContain('switchyard_evse_drawn_amperes{evse="CP16/1",phase="L2"} 11');
  });
});
