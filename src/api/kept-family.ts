import { Counter, type LabelValues } from 'prom-client';
import { KeptFamilyText } from './kept-family-text.js';
import type { KeptTextRegistry } from './kept-text-registry.js';
import { sampleLine } from './prom-lines.js';
import { ViewGauge, type ViewSeries } from './view-gauge.js';

/** What a series line is built from: a value or a label value (`a`), and a second one (`b`). */
export type SeriesPart = number | string | undefined;

/** Adds one series of a row: see KeptFamilyText.add. */
export type AddSeries = (id: string, a: SeriesPart, b: SeriesPart, slot: number) => void;

/**
 * A metric family with a series or a few per row (EVSE, station), defined once for both the
 * kept text and prom-client's JSON: which series a row has, and each series' labels and value
 * from what it is built from.
 */
export interface KeptFamilyDef<R, L extends string> {
  name: string;
  help: string;
  labelNames: L[];
  /** The row's series, in order. */
  each(row: R, add: AddSeries): void;
  /** A series' labels, in `labelNames` order. */
  labels(id: string, a: SeriesPart, b: SeriesPart, slot: number): Array<readonly [L, string]>;
  value(a: SeriesPart, b: SeriesPart): number;
}

/**
 * Registers a family of kept lines (`type` gauge or counter) in the registry. Its text at a scrape
 * is built from `rows()` with lines kept while unchanged; `JSON` readers (getMetricsAsJSON)
 * get the same series through prom-client.
 */
export function keptFamily<R, L extends string>(registry: KeptTextRegistry, type: 'gauge' | 'counter', def: KeptFamilyDef<R, L>, rows: () => readonly R[]): void {
  const text = new KeptFamilyText<SeriesPart, SeriesPart>((id, a, b, slot) => sampleLine(def.name, def.labels(id, a, b, slot), def.value(a, b)));
  const series = (): Array<ViewSeries<L>> => {
    const out: Array<ViewSeries<L>> = [];
    const add: AddSeries = (id, a, b, slot) => out.push({ labels: Object.fromEntries(def.labels(id, a, b, slot)) as LabelValues<L>, value: def.value(a, b) });
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
  const add: AddSeries = (id, a, b, slot) => text.add(id, a, b, slot);
  registry.keepText(metric, type, () => {
    const all = rows();
    text.begin();
    for (const row of all) def.each(row, add);
    return text.end();
  });
}
