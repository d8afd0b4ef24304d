import type { Counter } from 'prom-client';

/** One label set of a counter and its count. */
interface Series {
  readonly labels: Record<string, string>;
  value: number;
}

/**
 * A counter's series kept as plain numbers, found by their label values through nested maps,
 * and handed to the prom-client Counter only when it is scraped (`collect`). prom-client's own
 * `inc(labels)` builds a label object and a hash string at every call; an OCPP frame is
 * counted several times, so that was garbage per frame. The series appear in the order they
 * were first counted, as prom-client lists them.
 */
export class SeriesTally {
  private readonly series: Series[] = [];
  private readonly index = new Map<string, Map<string, Map<string, Series> | Series> | Series>();

  /** `labelNames`: one to three names, in the order the values are passed to add(). */
  constructor(private readonly labelNames: readonly string[]) {
    if (labelNames.length < 1 || labelNames.length > 3) throw new Error('SeriesTally takes one to three labels');
  }

  /** Adds `value` to the series with these label values (one per label name, in order). */
  add(value: number, a: string, b = '', c = ''): void {
    const depth = this.labelNames.length;
    let level1 = this.index.get(a);
    if (depth === 1) {
      if (!level1) this.index.set(a, (level1 = this.create([a])));
      (level1 as Series).value += value;
      return;
    }
    if (!level1) this.index.set(a, (level1 = new Map()));
    const m1 = level1 as Map<string, Map<string, Series> | Series>;
    let level2 = m1.get(b);
    if (depth === 2) {
      if (!level2) m1.set(b, (level2 = this.create([a, b])));
      (level2 as Series).value += value;
      return;
    }
    if (!level2) m1.set(b, (level2 = new Map()));
    const m2 = level2 as Map<string, Series>;
    let series = m2.get(c);
    if (!series) m2.set(c, (series = this.create([a, b, c])));
    series.value += value;
  }

  /** Puts the counts into the counter (call from its `collect`). */
  writeTo(counter: Counter<string>): void {
    counter.reset();
    for (const s of this.series) counter.inc(s.labels, s.value);
  }

  private create(values: string[]): Series {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
    const series = { labels, value: 0 };
    this.series.push(series);
    return series;
  }
}
