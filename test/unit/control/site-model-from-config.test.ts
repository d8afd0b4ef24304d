import { describe, expect, it } from 'vitest';
import { siteConfigSchema } from '../../../src/config/schema.js';
import { IMPLICIT_ROOT_ID, IMPLICIT_ROOT_MAX_CURRENT_A, siteModelFromConfig } from '../../../src/control/site-model-from-config.js';

const gridMeter = { id: 'grid-meter', role: 'grid', readings: [{ quantity: 'powerW', topic: 'site/grid/power' }] };

describe('siteModelFromConfig', () => {
  it('hangs every EVSE on an implicit root with a very large limit when no circuits are configured', () => {
    const model = siteModelFromConfig(siteConfigSchema.parse({ stations: [{ id: 'cs1', evses: [{ id: 1 }, { id: 2 }] }] }));
    expect(model.implicitRoot).toBe(true);
    expect(model.circuits).toEqual([
      { id: IMPLICIT_ROOT_ID, maxCurrentA: { L1: IMPLICIT_ROOT_MAX_CURRENT_A, L2: IMPLICIT_ROOT_MAX_CURRENT_A, L3: IMPLICIT_ROOT_MAX_CURRENT_A } },
    ]);
    expect(model.evses.map((e) => e.circuitId)).toEqual([IMPLICIT_ROOT_ID, IMPLICIT_ROOT_ID]);
    expect(model.worstCaseNonEvA).toEqual({ [IMPLICIT_ROOT_ID]: { L1: 0, L2: 0, L3: 0 } });
  });

  it('keys EVSEs as <stationId>/<evseId>', () => {
    const model = siteModelFromConfig(
      siteConfigSchema.parse({ stations: [{ id: 'garage-A', evses: [{ id: 1 }] }, { id: 'cs.2', evses: [{ id: 3 }] }] }),
    );
    expect(model.evses.map((e) => e.key)).toEqual(['garage-A/1', 'cs.2/3']);
  });

  it('defaults the phase rotation to L1,L2,L3 for 3-phase and L1 for 1-phase EVSEs and keeps a configured one', () => {
    const model = siteModelFromConfig(
      siteConfigSchema.parse({
        stations: [{ id: 'cs1', evses: [{ id: 1, phases: 3 }, { id: 2, phases: 1 }, { id: 3, phases: 1, phaseRotation: ['L3'] }] }],
      }),
    );
    expect(model.evses.map((e) => e.phaseRotation)).toEqual([['L1', 'L2', 'L3'], ['L1'], ['L3']]);
  });

  it('maps circuits with a single limit or per-phase limits, parents and meters', () => {
    const model = siteModelFromConfig(
      siteConfigSchema.parse({
        meters: [gridMeter],
        circuits: [
          { id: 'main', maxCurrentA: 63, meter: 'grid-meter', maxPowerW: 40000 },
          { id: 'garage', parent: 'main', maxCurrentA: [32, 25, 20] },
        ],
        stations: [{ id: 'cs1', evses: [{ id: 1, circuit: 'garage' }, { id: 2 }] }],
      }),
    );
    expect(model.implicitRoot).toBe(false);
    expect(model.circuits).toEqual([
      { id: 'main', maxCurrentA: { L1: 63, L2: 63, L3: 63 }, maxPowerW: 40000, meterId: 'grid-meter' },
      { id: 'garage', parentId: 'main', maxCurrentA: { L1: 32, L2: 25, L3: 20 } },
    ]);
    expect(model.evses.map((e) => e.circuitId)).toEqual(['garage', 'main']);
    expect(model.worstCaseNonEvA).toEqual({});
  });

  it('copies the EVSE ratings and the site voltage', () => {
    const model = siteModelFromConfig(
      siteConfigSchema.parse({
        site: { voltageV: 240 },
        stations: [{ id: 'cs1', evses: [{ id: 1, minCurrentA: 8, maxCurrentA: 32, priority: 2, maxPowerW: 11000, bidirectional: true }] }],
      }),
    );
    expect(model.evses[0]).toMatchObject({ minCurrentA: 8, maxCurrentA: 32, priority: 2, maxPowerW: 11000, bidirectional: true, voltageV: 240, phases: 3 });
  });

  it('maps the grid, pv and battery meter roles', () => {
    const meter = (id: string, role: string) => ({ id, role, readings: [{ quantity: 'powerW', topic: `m/${id}` }] });
    const model = siteModelFromConfig(
      siteConfigSchema.parse({ meters: [meter('g', 'grid'), meter('p', 'pv'), meter('b', 'battery'), meter('c', 'circuit')] }),
    );
    expect(model.meterRoles).toEqual({ gridMeterId: 'g', pvMeterId: 'p', batteryMeterId: 'b' });
  });
});
