import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry, type Metric } from 'prom-client';
import { familyHeader } from './prom-lines.js';

/**
 * A prom-client registry in which some families write their own sample lines (kept between
 * scrapes, `kept-family-text.ts`): the registry's text formatting costs a few microseconds per
 * series, which at thousands of EVSEs made a scrape block the event loop for tens of ms. Every
 * other family is formatted by prom-client as usual, and the output is laid out as prom-client's
 * `metrics()` lays it out (families in registration order, a blank line between them). The kept
 * families stay ordinary metrics for everything else (JSON, `getSingleMetricAsString`). With
 * default labels or the OpenMetrics format, prom-client formats everything.
 *
 * `yieldAfterMs`: once a read has run this long in one event-loop turn, it gives the loop back
 * (setImmediate) before the next family, so that a large scrape does not hold up station traffic
 * in one piece. Families are read one after the other (each family's text in one turn); what a
 * family reads for the whole scrape is its caller's to keep (HubMetrics reads each view once).
 */
export class KeptTextRegistry extends Registry {
  private readonly texts = new Map<object, { type: 'gauge' | 'counter'; lines: () => string }>();
  private defaultLabelsSet = false;
  private readonly yieldAfterMs: number;

  constructor(opts: { yieldAfterMs?: number } = {}) {
    super();
    this.yieldAfterMs = opts.yieldAfterMs ?? Infinity;
  }

  /** Registers a family (a Gauge or Counter of this registry) whose sample lines `lines` gives (joined by newlines; '' for none). */
  keepText<T extends string>(metric: Metric<T>, type: 'gauge' | 'counter', lines: () => string): void {
    this.texts.set(metric, { type, lines });
  }

  override setDefaultLabels(labels: object): void {
    this.defaultLabelsSet = Object.keys(labels).length > 0;
    super.setDefaultLabels(labels);
  }

  override clear(): void {
    this.defaultLabelsSet = false;
    this.texts.clear();
    super.clear();
  }

  override async metrics(): Promise<string> {
    if (this.defaultLabelsSet || this.contentType !== Registry.PROMETHEUS_CONTENT_TYPE || this.texts.size === 0) return super.metrics();
    const texts: string[] = [];
    let turnStartMs = performance.now();
    for (const m of this.getMetricsAsArray()) {
      const kept = this.texts.get(m);
      if (kept === undefined) texts.push(await this.getSingleMetricAsString(m.name));
      else {
        const lines = kept.lines();
        const header = familyHeader(m.name, m.help, kept.type);
        texts.push(lines === '' ? header : `${header}\n${lines}`);
      }
      if (performance.now() - turnStartMs >= this.yieldAfterMs) {
        await nextTurn();
        turnStartMs = performance.now();
      }
    }
    // The final newline on the last family, not on the joined text: one flat string, which the
    // response's byte count and write then read without first copying a concatenation.
    if (texts.length === 0) return '\n';
    texts[texts.length - 1] += '\n';
    return texts.join('\n\n');
  }
}
