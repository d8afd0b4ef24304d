import { describe, expect, it } from 'vitest';
import { Gauge, Registry } from 'prom-client';
import { ViewGauge } from '../../../src/api/view-gauge.js';

const SERIES = [
  { labels: { evse: 'CP1/1', phase: 'L1' }, value: 16 },
  { labels: { evse: 'CP "2"\\x\n/1', phase: 'L2' }, value: 0.5 },
  { labels: { evse: 'CP3/1', phase: 'L3' }, value: -3 },
];

describe('a gauge read from a view at scrape time', () => {
  it('gives the same text as a gauge whose series are set one by one, escaping included', async () => {
    const viaSet = new Registry();
    new Gauge({
      name: 'x_amperes',
      help: 'help text',
      labelNames: ['evse', 'phase'],
      registers: [viaSet],
      collect() {
        this.reset();
        for (const s of SERIES) this.set(s.labels, s.value);
      },
    });
    const viaView = new Registry();
    new ViewGauge({ name: 'x_amperes', help: 'help text', labelNames: ['evse', 'phase'], registers: [viaView] }, () => SERIES);
    const text = await viaView.metrics();
    expect(text).toBe(await viaSet.metrics());
    expect(text).toContain('x_amperes{evse="CP \\"2\\"\\\\x\\n/1",phase="L2"} 0.5');
  });

  it('reads its view at every scrape, and shows no series when the view has none', async () => {
    const registry = new Registry();
    let series = SERIES.slice(0, 1);
    new ViewGauge({ name: 'x_amperes', help: 'help text', labelNames: ['evse', 'phase'], registers: [registry] }, () => series);
    expect(await registry.metrics()).toContain('x_amperes{evse="CP1/1",phase="L1"} 16');
    series = [];
    expect(await registry.metrics()).not.toContain('x_amperes{');
  });
});
