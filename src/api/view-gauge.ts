import { Gauge, type GaugeConfiguration, type LabelValues } from 'prom-client';

/** One series of a ViewGauge: its labels and its value. */
export interface ViewSeries<T extends string> {
  labels: LabelValues<T>;
  value: number;
}

/**
 * A gauge whose series are read from a view at scrape time, in one pass, instead of being reset
 * and set one by one into prom-client's label-hashed store at every scrape: with thousands of
 * EVSEs that bookkeeping was a large part of a scrape. The text is the same as a Gauge's (prom-client
 * formats and escapes it); the label names are the caller's to keep fixed.
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
