import { Gauge, type GaugeConfiguration, type LabelValues } from 'prom-client';

/** One series of a ViewGauge: its labels and its value. */
export interface ViewSeries<T extends string> {
  labels: LabelValues<T>;
  value: number;
}

/**
 * A gauge whose series are read from a view when read, in one pass, instead of being reset
 * and set one by one into prom-client's label-hashed store: what prom-client formats of a kept
 * family (kept-family.ts) when it formats it itself (JSON, default labels, OpenMetrics). The text
 * is the same as a Gauge's; the label names are the caller's to keep fixed.
 */
export class ViewGauge<T extends string> extends Gauge<T> {
  constructor(
    config: Omit<GaugeConfiguration<T>, 'collect'>,
    private readonly read: () => Array<ViewSeries<T>>,
  ) {
    super(config);
  }

  override async get(): ReturnType<Gauge<T>['get']> {
    // Read before the first await: a scrape's views are valid for the scrape's own turn.
    const values = this.read();
    const metric = await super.get();
    return { ...metric, values };
  }
}
