import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesTally } from '../../../src/api/series-tally.js';

function counterWith(tally: SeriesTally, labelNames: string[]): Registry {
  const registry = new Registry();
  new Counter({ name: 'c_total', help: 'h', labelNames, registers: [registry], collect() { tally.writeTo(this); } });
  return registry;
}

describe('SeriesTally', () => {
  it('hands prom-client the same series, values and order as counting with inc() would', async () => {
    const tally = new SeriesTally(['direction', 'action', 'outcome']);
    const registry = counterWith(tally, ['direction', 'action', 'outcome']);
    const direct = new Registry();
    const counter = new Counter({ name: 'c_total', help: 'h', labelNames: ['direction', 'action', 'outcome'], registers: [direct] });
    const counts: Array<[string, string, string, number]> = [
      ['in', 'Heartbeat', 'ok', 1], ['out', 'Heartbeat', 'ok', 1], ['in', 'MeterValues', 'error', 1],
      ['in', 'Heartbeat', 'ok', 1], ['in', 'Heartbeat', 'error', 1], ['out', 'Heartbeat', 'ok', 3],
    ];
    for (const [direction, action, outcome, value] of counts) {
      tally.add(value, direction, action, outcome);
      counter.inc({ direction, action, outcome }, value);
    }
    expect(await registry.metrics()).toBe(await direct.metrics());
    expect(await registry.metrics()).toContain('c_total{direction="out",action="Heartbeat",outcome="ok"} 4');
  });

  it('keeps counting across scrapes', async () => {
    const tally = new SeriesTally(['direction']);
    const registry = counterWith(tally, ['direction']);
    tally.add(10, 'in');
    await registry.metrics();
    tally.add(5, 'in');
    tally.add(0, 'out');
    expect(await registry.metrics()).toContain('c_total{direction="in"} 15');
    expect(await registry.metrics()).toContain('c_total{direction="out"} 0');
  });

  it('counts two-label series apart by both values', async () => {
    const tally = new SeriesTally(['direction', 'action']);
    const registry = counterWith(tally, ['direction', 'action']);
    tally.add(1, 'in', 'A');
    tally.add(1, 'in', 'B');
    tally.add(1, 'in', 'A');
    const text = await registry.metrics();
    expect(text).toContain('c_total{direction="in",action="A"} 2');
    expect(text).toContain('c_total{direction="in",action="B"} 1');
  });
});
