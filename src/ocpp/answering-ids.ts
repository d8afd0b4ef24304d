/**
 * The message ids of one connection's CALLs being answered: a set of strings that keeps the usual
 * case, one call at a time, in a field. A station sends its next CALL only after the answer to the
 * previous one, so a `Set` would go from one id to none at every message, and V8 gives a hash
 * table that falls to a quarter of its capacity a new, smaller table. That table then lives until
 * the station's next message (seconds at W2's pace): long enough to be promoted to the old space
 * on every message of every station. Only the ids beyond the first use the `Set`.
 */
export class AnsweringIds {
  private first: string | undefined;
  private rest: Set<string> | undefined;

  get size(): number {
    return (this.first === undefined ? 0 : 1) + (this.rest?.size ?? 0);
  }

  has(id: string): boolean {
    return this.first === id || (this.rest?.has(id) ?? false);
  }

  add(id: string): void {
    if (this.has(id)) return;
    if (this.first === undefined) this.first = id;
    else (this.rest ??= new Set()).add(id);
  }

  delete(id: string): boolean {
    if (this.first === id) {
      this.first = undefined;
      return true;
    }
    return this.rest?.delete(id) ?? false;
  }
}
