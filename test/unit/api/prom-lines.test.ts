import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Counter, Gauge, Registry } from 'prom-client';
import { keptFamily } from '../../../src/api/kept-family.js';
import { KeptTextRegistry } from '../../../src/api/kept-text-registry.js';

/** Series of one family: an id (label `evse`), a second label, a value. */
const series = fc.uniqueArray(fc.record({ id: fc.string({ unit: 'binary' }), label: fc.string({ unit: 'binary' }), value: fc.double() }), { selector: (s) => s.id, maxLength: 6 });
const help = fc.string({ unit: 'binary', minLength: 1 });

describe('kept lines', () => {
  it("read byte for byte as prom-client's own text for any label values, help text and values", async () => {
    await fc.assert(
      fc.asyncProperty(help, fc.array(series, { minLength: 1, maxLength: 4 }), async (helpText, scrapes) => {
        let rows = scrapes[0] ?? [];
        const kept = new KeptTextRegistry();
        keptFamily(kept, 'gauge', { name: 'x_amperes', help: helpText, labelNames: ['evse', 'phase'], each: (r, add) => add(r.id, r.value, r.label, 0), labels: (id, label) => [['evse', id], ['phase', label ?? '']] }, () => rows);
        const plain = new Registry();
        new Gauge({
          name: 'x_amperes',
          help: helpText,
          labelNames: ['evse', 'phase'],
          registers: [plain],
          collect() {
            this.reset();
            for (const r of rows) this.set({ evse: r.id, phase: r.label }, r.value);
          },
        });
        for (const s of scrapes) {
          rows = s;
          expect(await kept.metrics()).toBe(await plain.metrics());
        }
      }),
    );
  });

  it("read as prom-client's own counter text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.record({ id: fc.string(), value: fc.double({ min: 0, noNaN: true, max: 1e300 }) }), { selector: (s) => s.id }), async (rows) => {
        const kept = new KeptTextRegistry();
        keptFamily(kept, 'counter', { name: 'x_total', help: 'h', labelNames: ['evse'], each: (r, add) => add(r.id, r.value, undefined, 0), labels: (id) => [['evse', id]] }, () => rows);
        const plain = new Registry();
        new Counter({
          name: 'x_total',
          help: 'h',
          labelNames: ['evse'],
          registers: [plain],
          collect() {
            this.reset();
            for (const r of rows) this.inc({ evse: r.id }, r.value);
          },
        });
        expect(await kept.metrics()).toBe(await plain.metrics());
      }),
    );
  });

  it('are left to prom-client once default labels are set', async () => {
    const kept = new KeptTextRegistry();
    keptFamily(kept, 'gauge', { name: 'x_amperes', help: 'h', labelNames: ['evse'], each: (r: { id: string }, add) => add(r.id, 1, undefined, 0), labels: (id) => [['evse', id]] }, () => [{ id: 'a' }]);
    kept.setDefaultLabels({ site: 's1' });
    expect(await kept.metrics()).toContain('x_amperes{evse="a",site="s1"} 1');
  });
});
