import { describe, expect, it } from 'vitest';
import { perPhase } from '../../../src/energy/phases.js';
import { SimMeter } from '../../../src/sim/sim-meter.js';
import { FakeClock } from '../../../src/util/fake-clock.js';

const flat = [
  { hour: 0, powerW: 6900 },
  { hour: 24, powerW: 6900 },
];

function meterWith(evA: number, pvPeakW: number) {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
  const published: { topic: string; payload: Record<string, unknown> }[] = [];
  const meter = new SimMeter({
    clock,
    publish: (topic, payload) => void published.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> }),
    evCurrentA: () => perPhase(evA),
    intervalS: 1,
    buildingCurve: flat,
    pv: { peakW: pvPeakW, sunriseHour: 6, sunsetHour: 18, cloudsPerHour: 0 },
  });
  return { clock, meter, published };
}

describe('the simulated site meter', () => {
  it('publishes grid, PV and building at every interval of the clock', () => {
    const { clock, meter, published } = meterWith(0, 0);
    meter.start();
    clock.advanceMs(2000);
    meter.stop();
    expect(published.map((p) => p.topic)).toEqual([
      'switchyard/sim/grid',
      'switchyard/sim/pv',
      'switchyard/sim/building',
      'switchyard/sim/grid',
      'switchyard/sim/pv',
      'switchyard/sim/building',
    ]);
  });

  it('measures the grid as building plus EVs minus PV on each phase', () => {
    const { meter } = meterWith(16, 6900);
    expect(meter.sample().grid).toEqual(perPhase(10 + 16 - 10));
  });

  it('publishes PV as negative power (production)', () => {
    const { meter, published } = meterWith(0, 6900);
    meter.publishNow();
    expect(published.find((p) => p.topic === 'switchyard/sim/pv')?.payload['powerW']).toBe(-6900);
  });

  it('raises the building load by a step added at run time', () => {
    const { meter } = meterWith(0, 0);
    meter.addStep(690);
    expect(meter.sample().building.L1).toBeCloseTo(11, 6);
  });
});
