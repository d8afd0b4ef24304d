/**
 * The small tables EvseControls keeps for its readers, changed one EVSE at a time at a cost that
 * does not grow with the number of EVSEs (the site may declare thousands).
 */
import type { EvseModel } from '../energy/site-model.js';

/**
 * A record by EVSE key that readers may hold on to: a record once handed out (`read()`) is never
 * changed again. The first change after a read copies it (once per read, not once per change),
 * later changes until the next read change the copy in place. So each change costs O(1), plus
 * one copy per read of a record that changed since.
 */
export class HandedOutRecord<T> {
  private record: Record<string, T> = {};
  /** `record` was handed out since it was last copied: copy before changing it. */
  private shared = false;

  /** The record as it stands; the caller may keep it (it will not change under it). */
  read(): Readonly<Record<string, T>> {
    this.shared = true;
    return this.record;
  }

  /** The entry of one key, without handing the record out. */
  peek(key: string): T | undefined {
    return Object.prototype.hasOwnProperty.call(this.record, key) ? this.record[key] : undefined;
  }

  /** Sets (a value) or removes (undefined) the entry of one key. */
  put(key: string, value: T | undefined): void {
    const had = Object.prototype.hasOwnProperty.call(this.record, key);
    if (value === undefined ? !had : had && this.record[key] === value) return;
    if (this.shared) {
      this.record = { ...this.record };
      this.shared = false;
    }
    if (value === undefined) delete this.record[key];
    else this.record[key] = value;
  }
}

/**
 * Where each EVSE key sits in the site's model array (shared with the controller, which the hub
 * changes in place: entries replaced, stations added and removed). A remembered position is
 * checked at every lookup and the index is built again only when it is wrong, i.e. after the
 * array changed shape, not at every change of a setting.
 */
export class EvseModelIndex {
  private positions = new Map<string, number>();

  constructor(private readonly evses: EvseModel[]) {}

  /** The position of the EVSE's model in the array, or -1. */
  indexOf(evseKey: string): number {
    const known = this.positions.get(evseKey);
    if (known !== undefined && this.evses[known]?.key === evseKey) return known;
    this.rebuild();
    return this.positions.get(evseKey) ?? -1;
  }

  /** The EVSE's model, or undefined. */
  modelOf(evseKey: string): EvseModel | undefined {
    const i = this.indexOf(evseKey);
    return i < 0 ? undefined : this.evses[i];
  }

  private rebuild(): void {
    const positions = new Map<string, number>();
    this.evses.forEach((e, i) => {
      if (!positions.has(e.key)) positions.set(e.key, i);
    });
    this.positions = positions;
  }
}
