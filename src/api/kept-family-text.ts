/** A kept line and what it was built from. */
interface KeptLine<A, B> {
  a: A;
  b: B;
  line: string;
}

interface KeptSeries<A, B> {
  slots: Array<KeptLine<A, B> | undefined>;
  pass: number;
}

/**
 * The sample lines of one metric family with thousands of series (one or a few per EVSE or
 * station), kept between scrapes: a series' line is built again only when what it shows changed
 * (`a` and `b`, compared with `===`), and the family's text is joined again only when a line or
 * the series list changed. A scrape then costs one lookup and comparison per series, not the
 * formatting and escaping of every label.
 *
 * A pass: `begin()`, `add()` for every series in the order they are to appear, `end()` for the
 * text. `id` names the thing the series belong to (an EVSE key) and `slot` one of its series
 * (a phase, a window); series not added in a pass are forgotten.
 */
export class KeptFamilyText<A, B = undefined> {
  private readonly kept = new Map<string, KeptSeries<A, B>>();
  private lines: string[] = [];
  private previous: string[] = [];
  private text = '';
  private changed = true;
  private pass = 0;
  private ids = 0;

  /** `build` makes the line of a series from its id, slot and values. */
  constructor(private readonly build: (id: string, a: A, b: B, slot: number) => string) {}

  begin(): void {
    this.pass++;
    this.previous = this.lines;
    this.lines = [];
    this.changed = false;
    this.ids = 0;
  }

  add(id: string, a: A, b: B, slot = 0): void {
    let series = this.kept.get(id);
    if (series === undefined) {
      series = { slots: [], pass: 0 };
      this.kept.set(id, series);
    }
    if (series.pass !== this.pass) {
      series.pass = this.pass;
      this.ids++;
    }
    let kept = series.slots[slot];
    if (kept === undefined || kept.a !== a || kept.b !== b) {
      kept = { a, b, line: this.build(id, a, b, slot) };
      series.slots[slot] = kept;
    }
    const at = this.lines.length;
    if (this.previous[at] !== kept.line) this.changed = true;
    this.lines.push(kept.line);
  }

  /** The family's sample lines, joined by newlines ('' for none). */
  end(): string {
    if (this.changed || this.lines.length !== this.previous.length) this.text = this.lines.join('\n');
    this.previous = [];
    if (this.kept.size > this.ids) {
      for (const [id, series] of this.kept) if (series.pass !== this.pass) this.kept.delete(id);
    }
    return this.text;
  }
}
