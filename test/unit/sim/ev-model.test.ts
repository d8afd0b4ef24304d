import { describe, expect, it } from 'vitest';
import { EvModel } from '../../../src/sim/ev-model.js';

const spec = { capacityWh: 50_000, socPct: 50, maxAcCurrentA: 16, phases: 3, efficiency: 1 };

describe('the EV battery model', () => {
  it('draws the offered current when it is below what the EV accepts', () => {
    expect(new EvModel(spec).step(60, 10, 230).currentA).toBe(10);
  });

  it('draws no more than its on-board charger accepts', () => {
    expect(new EvModel(spec).step(60, 32, 230).currentA).toBe(16);
  });

  it('draws nothing when offered less than its minimum current', () => {
    expect(new EvModel(spec).step(60, 5, 230)).toMatchObject({ currentA: 0, energyWh: 0 });
  });

  it('adds energy as current x voltage x phases x time', () => {
    const ev = new EvModel(spec);
    expect(ev.step(3600, 16, 230).energyWh).toBeCloseTo(16 * 230 * 3, 6);
    expect(ev.socPct).toBeCloseTo(50 + (16 * 230 * 3 * 100) / 50_000, 6);
  });

  it('uses only the phases both the EV and the EVSE have', () => {
    const ev = new EvModel({ ...spec, phases: 1 });
    expect(ev.step(3600, 16, 230, 3)).toMatchObject({ phasesUsed: 1, energyWh: 16 * 230 });
  });

  it('tapers its acceptance above 80 % SoC', () => {
    const ev = new EvModel({ ...spec, maxAcCurrentA: 32, socPct: 90 });
    expect(ev.acceptanceA()).toBeCloseTo(16, 6);
  });

  it('stops wanting power at its target SoC and draws nothing more', () => {
    const ev = new EvModel({ ...spec, socPct: 79.5, targetSocPct: 80 });
    const step = ev.step(3600, 16, 230);
    expect(step.energyWh).toBeCloseTo(250, 6);
    expect(ev.wantsPower()).toBe(false);
    expect(ev.step(60, 16, 230).currentA).toBe(0);
  });

  it('counts metered energy before charging losses', () => {
    const ev = new EvModel({ ...spec, efficiency: 0.5 });
    ev.step(3600, 16, 230);
    expect(ev.socPct).toBeCloseTo(50 + (16 * 230 * 3 * 0.5 * 100) / 50_000, 6);
  });
});
