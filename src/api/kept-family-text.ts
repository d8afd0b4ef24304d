/** A kept line and what it was built from. */
interface KeptLine {
  id: string;
  slot: number;
  value: number;
  label: string | undefined;
  /** The line up to its value: name, labels and a space. */
  head: string;
  line: string;
  /** Last pass that added it. */
  pass: number;
}

/** How a family's lines are built. */
export interface LineFormat {
  /** The line up to its value (`name{labels} `), from the series' id, slot and label part. */
  head(id: string, label: string | undefined, slot: number): string;
  /** The value's text. */
  value(value: number): string;
}

/**
 * The sample lines of one metric family with thousands of series (one or a few per EVSE or
 * station), kept between scrapes: a series' line is built again only when what it shows changed
 * (its value, or the label part that varies, compared with `===`); its head (name and escaped
 * labels) only when the label part changed; and the family's text is joined again only when a
 * line or the series list changed. A pass over unchanged series costs a few comparisons per
 * series (each is first looked for where it was in the last pass, then by id), not the formatting
 * and escaping of every label.
 *
 * A pass: `begin()`, `add()` for every series in the order they are to appear, `end()` for the
 * text. `id` names the thing the series belong to (an EVSE key) and `slot` one of its series
 * (a phase, a window); series not added in a pass are forgotten.
 */
export class KeptFamilyText {
  private readonly byId = new Map<string, Array<KeptLine | undefined>>();
  /** The series of the last pass, in order (this pass's while it runs). */
  private order: KeptLine[] = [];
  private count = 0;
  private text = '';
  private changed = true;
  private pass = 0;
  private keptLines = 0;

  constructor(private readonly format: LineFormat) {}

  begin(): void {
    this.pass++;
    this.count = 0;
    this.changed = false;
  }

  add(id: string, value: number, label: string | undefined, slot: number): void {
    const at = this.count++;
    const same = this.order[at];
    if (same !== undefined && same.id === id && same.slot === slot && same.value === value && same.label === label) {
      same.pass = this.pass;
      return;
    }
    let slots = this.byId.get(id);
    if (slots === undefined) {
      slots = [];
      this.byId.set(id, slots);
    }
    let kept = slots[slot];
    if (kept === undefined) {
      const head = this.format.head(id, label, slot);
      kept = { id, slot, value, label, head, line: head + this.format.value(value), pass: this.pass };
      slots[slot] = kept;
      this.keptLines++;
    } else if (kept.value !== value || kept.label !== label) {
      if (kept.label !== label) kept.head = this.format.head(id, label, slot);
      kept.value = value;
      kept.label = label;
      kept.line = kept.head + this.format.value(value);
    }
    kept.pass = this.pass;
    this.order[at] = kept;
    this.changed = true;
  }

  /** The family's sample lines, joined by newlines ('' for none). */
  end(): string {
    if (this.order.length !== this.count) {
      this.order.length = this.count;
      this.changed = true;
    }
    if (this.changed) {
      this.text = this.order.map((k) => k.line).join('\n');
      if (this.keptLines > this.count) this.forgetUnseen();
    }
    return this.text;
  }

  private forgetUnseen(): void {
    for (const [id, slots] of this.byId) {
      let left = 0;
      slots.forEach((k, slot) => {
        if (k === undefined) return;
        if (k.pass === this.pass) left++;
        else {
          slots[slot] = undefined;
          this.keptLines--;
        }
      });
      if (left === 0) this.byId.delete(id);
    }
  }
}
