import { describe, expect, it } from 'vitest';
import type { AgedReading } from '../../../src/energy/meter-reading.js';
import type { EvseLiveState, EvseModel } from '../../../src/energy/site-model.js';
import { readMqttOutState, type MqttOutHubView, type MqttOutStateReaderDeps } from '../../../src/meters/mqtt-out-state.js';

function anEvse(key: string, overrides: Partial<EvseModel> = {}): EvseModel {
  return { key, circuitId: 'site', phases: 3, phaseRotation: ['L1', 'L2', 'L3'], minCurrentA: 6, maxCurrentA: 16, priority: 1, voltageV: 230, bidirectional: false, ...overrides };
}

function reading(meterId: string, powerW: number, stale = false): AgedReading {
  return { meterId, timeMs: 0, powerW, ageS: stale ? 60 : 1, stale };
}

function deps(view: Partial<MqttOutHubView> = {}, more: Partial<MqttOutStateReaderDeps> = {}): MqttOutStateReaderDeps {
  const hub: MqttOutHubView = {
    site: { evses: [anEvse('CP-1/1'), anEvse('CP-2/1', { phases: 1, phaseRotation: ['L2'] })], meterRoles: { gridMeterId: 'grid', pvMeterId: 'pv' } },
    meters: { snapshot: () => ({ grid: reading('grid', 5000), pv: reading('pv', -2500) }) },
    live: { snapshot: () => ({}) },
    lastDecision: () => undefined,
    activeOverride: () => undefined,
    modeOf: () => 'LocalLoadBalancing',
    ...view,
  };
  return { hub, connectorStatus: () => 'Available', isConnected: () => true, sessionEnergyWh: () => undefined, ...more };
}

const charging = (key: string, currentA: number[], transactionId = 'tx-1'): EvseLiveState => ({ key, active: true, controllable: true, transactionId, measuredCurrentA: currentA });

describe('reading the state MQTT out publishes', () => {
  it('reports PV production as a positive power', () => {
    expect(readMqttOutState(deps(), 0).site).toMatchObject({ gridPowerW: 5000, pvPowerW: 2500 });
  });

  it('reports PV production as a positive power whichever sign the PV meter uses, as the dashboard does', () => {
    const s = readMqttOutState(deps({ meters: { snapshot: () => ({ grid: reading('grid', 5000), pv: reading('pv', 5000) }) } }), 0).site;
    expect(s.pvPowerW).toBe(5000);
  });

  it('leaves stale meter values unknown and lists the stale meters', () => {
    const s = readMqttOutState(deps({ meters: { snapshot: () => ({ grid: reading('grid', 5000, true), pv: reading('pv', -100) }) } }), 0).site;
    expect(s).toMatchObject({ gridPowerW: null, pvPowerW: 100, staleMeters: ['grid'] });
  });

  it('adds EV currents up per grid phase following each EVSE phase rotation', () => {
    const live = { 'CP-1/1': charging('CP-1/1', [10, 10, 10]), 'CP-2/1': charging('CP-2/1', [16]) };
    const s = readMqttOutState(deps({ live: { snapshot: () => live } }), 0);
    expect(s.site.evCurrentA).toEqual({ L1: 10, L2: 26, L3: 10 });
    expect(s.site.evPowerW).toBe(46 * 230);
    expect(s.evses[1]).toMatchObject({ drawnCurrentA: 16, powerW: 16 * 230 });
  });

  it('gives each EVSE its offered current, the source that bound it, its mode and session energy', () => {
    const live = { 'CP-1/1': charging('CP-1/1', [8, 8, 8], 'tx-9') };
    const s = readMqttOutState(
      deps(
        {
          live: { snapshot: () => live },
          lastDecision: () => ({ evses: { 'CP-1/1': { limit: { maxCurrentA: 8, source: 'fuse:main' } } } }),
          modeOf: (k) => (k === 'CP-1/1' ? 'Idle' : 'LocalLoadBalancing'),
        },
        { sessionEnergyWh: (station, tx) => (station === 'CP-1' && tx === 'tx-9' ? 4321.4 : undefined) },
      ),
      0,
    );
    expect(s.evses[0]).toMatchObject({ offeredCurrentA: 8, limitSource: 'fuse:main', mode: 'Idle', sessionEnergyWh: 4321, transactionId: 'tx-9' });
    expect(s.evses[1]).toMatchObject({ offeredCurrentA: null, limitSource: null, sessionEnergyWh: null, transactionId: null });
  });

  it('says Offline for the EVSEs of a station that is not connected', () => {
    const s = readMqttOutState(deps({}, { isConnected: (id) => id !== 'CP-2' }), 0);
    expect(s.evses.map((e) => e.status)).toEqual(['Available', 'Offline']);
  });

  it('reports the site limit override in force', () => {
    const s = readMqttOutState(deps({ activeOverride: () => ({ powerW: 11000, source: 'override:mqtt' }) }), 0);
    expect(s.site).toMatchObject({ siteLimitW: 11000, siteLimitSource: 'override:mqtt' });
  });

  it('gives each station its online state and boot identity, each EVSE its solar mode, max current and lifetime energy in kWh, and the site its energy totals', () => {
    const s = readMqttOutState(
      deps(
        {},
        {
          isConnected: (id) => id === 'CP-1',
          stationInfo: (id) => (id === 'CP-1' ? { vendor: 'ACME', model: 'W11', firmwareVersion: '2.3' } : undefined),
          evseRegisterWh: (id) => (id === 'CP-1' ? 123_456.7 : undefined),
          solarModeOf: () => 'min+pv',
          siteEnergyWh: () => ({ gridImport: 1500, gridExport: 0, pv: null }),
        },
      ),
      0,
    );
    expect(s.stations).toEqual([
      { stationId: 'CP-1', online: true, vendor: 'ACME', model: 'W11', firmwareVersion: '2.3' },
      { stationId: 'CP-2', online: false },
    ]);
    expect(s.evses[0]).toMatchObject({ solarMode: 'min+pv', maxCurrentA: 16, energyKWh: 123.457 });
    expect(s.evses[1]).toMatchObject({ energyKWh: null });
    expect(s.site).toMatchObject({ gridImportKWh: 1.5, gridExportKWh: 0, pvEnergyKWh: null });
  });
});
