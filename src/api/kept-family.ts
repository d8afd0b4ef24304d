import { Counter, type LabelValues } from 'prom-client';
import { KeptFamilyText } from './kept-family-text.js';
import type { KeptTextRegistry } from './kept-text-registry.js';
import { promValue, sampleHead } from './prom-lines.js';
import { ViewGauge, type ViewSeries } from './view-gauge.js';

/** Adds one series of a row: what its value is read from, the label part that varies (if any), which of the row's series. */
export type AddSeries = (id: string, value: number, label: string | undefined, slot: number) => void;

/**
 * A metric family with a series or a few per row (EVSE, station), defined once for both the kept
 * text and prom-client's JSON: which series a row has, and each series' labels and value.
 */
export interface KeptFamilyDef<R, L extends string> {
  name: string;
  help: string;
  labelNames: L[];
  /** The row's series, in order. */
  each(row: R, add: AddSeries): void;
  /** A series' labels, in `labelNames` order. */
  labels(id: string, label: string | undefined, slot: number): Array<readonly [L, string]>;
  /** The sample value from the added value (the identity unless given). */
  value?(added: number): number;
}

/**
 * Registers a family of kept lines (`type` gauge or counter) in the registry: its text at a scrape
 * is built from `rows()` with lines kept while unchanged; JSON readers (getMetricsAsJSON) get the
 * same series through prom-client.
 */
export function keptFamily<R, L extends string>(registry: KeptTextRegistry, type: 'gauge' | 'counter', def: KeptFamilyDef<R, L>, rows: () => readonly R[]): void {
  const valueOf = def.value ?? ((v: number) => v);
  const text = new KeptFamilyText({ head: (id, label, slot) => sampleHead(def.name, def.labels(id, label, slot)), value: (v) => promValue(valueOf(v)) });
  const series = (): Array<ViewSeries<L>> => {
    const out: Array<ViewSeries<L>> = [];
    const add: AddSeries = (id, value, label, slot) => out.push({ labels: Object.fromEntries(def.labels(id, label, slot)) as LabelValues<L>, value: valueOf(value) });
    for (const row of rows()) def.each(row, add);
    return out;
  };
  const config = { name: def.name, help: def.help, labelNames: def.labelNames, registers: [registry] };
  const metric =
    type === 'gauge'
      ? new ViewGauge(config, series)
      : new Counter({
          ...config,
          collect() {
            this.reset();
            for (const s of series()) this.inc(s.labels, s.value);
          },
        });
  const add: AddSeries = (id, value, label, slot) => text.add(id, value, label, slot);
  registry.keepText(metric, type, () => {
    const all = rows();
    text.begin();
    for (const row of all) def.each(row, add);
    return text.end();
  });
}
