import type { Term } from './constraints.js';

/** One EVSE in the fill: it gets min(bound, max(floor, weight x level)). */
export interface FillItem {
  weight: number;
  floorA: number;
  boundA: number;
  terms: readonly Term[];
}

export interface FillResult {
  valueA: number[];
  /** Index of the constraint that stopped each item, or -1 when its own bound did. */
  frozenBy: number[];
}

const WAITING = 0;
const RISING = 1;
const FROZEN = 2;

/**
 * Weighted max-min fair sharing (progressive filling) over linear constraints, with floors.
 * Every item starts at its floor (the caller guarantees the floors fit); a common level rises
 * and each item follows weight x level between its floor and its bound; when a constraint
 * fills up, every item in it stops where it is. Events (an item starts rising, reaches its
 * bound, a constraint fills) are processed in order: O((n + K) x K + n log n) for n items and
 * K constraints.
 */
export function waterFill(items: readonly FillItem[], capacity: readonly number[]): FillResult {
  const n = items.length;
  const K = capacity.length;
  const valueA = items.map((it) => it.floorA);
  const frozenBy = new Array<number>(n).fill(-1);
  const state = new Uint8Array(n);
  const fixedUse = new Float64Array(K);
  const risingW = new Float64Array(K);
  const saturated = new Uint8Array(K);
  const members: number[][] = Array.from({ length: K }, () => []);

  for (let i = 0; i < n; i++) {
    const it = items[i] as FillItem;
    for (const t of it.terms) {
      fixedUse[t.k] = (fixedUse[t.k] as number) + t.coefficient * it.floorA;
      (members[t.k] as number[]).push(i);
    }
    if (it.boundA <= it.floorA) state[i] = FROZEN;
  }

  const startAt = (i: number): number => (items[i] as FillItem).floorA / (items[i] as FillItem).weight;
  const endAt = (i: number): number => (items[i] as FillItem).boundA / (items[i] as FillItem).weight;
  const open = [...Array(n).keys()].filter((i) => state[i] !== FROZEN);
  const starts = [...open].sort((a, b) => startAt(a) - startAt(b));
  const ends = [...open].sort((a, b) => endAt(a) - endAt(b));

  const freeze = (i: number, level: number, by: number): void => {
    const it = items[i] as FillItem;
    if (state[i] === RISING) {
      const v = it.weight * level;
      valueA[i] = Math.min(it.boundA, Math.max(it.floorA, v));
      for (const t of it.terms) {
        risingW[t.k] = (risingW[t.k] as number) - t.coefficient * it.weight;
        fixedUse[t.k] = (fixedUse[t.k] as number) + t.coefficient * (valueA[i] as number);
      }
    }
    state[i] = FROZEN;
    frozenBy[i] = by;
  };

  let level = 0;
  let si = 0;
  let ei = 0;
  for (let guard = 0; guard < 4 * (n + K) + 8; guard++) {
    while (si < starts.length && state[starts[si] as number] !== WAITING) si++;
    while (ei < ends.length && state[ends[ei] as number] === FROZEN) ei++;
    const nextStart = si < starts.length ? startAt(starts[si] as number) : Infinity;
    const nextEnd = ei < ends.length ? endAt(ends[ei] as number) : Infinity;
    let nextSat = Infinity;
    let satK = -1;
    for (let k = 0; k < K; k++) {
      const w = risingW[k] as number;
      if (saturated[k] || w <= 1e-12) continue;
      const at = ((capacity[k] as number) - (fixedUse[k] as number)) / w;
      if (at < nextSat) {
        nextSat = at;
        satK = k;
      }
    }
    const next = Math.min(nextStart, nextEnd, nextSat);
    if (next === Infinity) break;
    level = Math.max(level, next);

    if (nextEnd <= next) {
      const i = ends[ei] as number;
      if (state[i] === RISING) freeze(i, endAt(i), -1);
      else {
        // Reached its bound while still at its floor: start and stop at once.
        startRising(i);
        freeze(i, endAt(i), -1);
      }
      continue;
    }
    if (nextStart <= next) {
      startRising(starts[si] as number);
      continue;
    }
    saturated[satK] = 1;
    for (const i of members[satK] as number[]) if (state[i] !== FROZEN) freeze(i, level, satK);
  }

  function startRising(i: number): void {
    const it = items[i] as FillItem;
    state[i] = RISING;
    for (const t of it.terms) {
      fixedUse[t.k] = (fixedUse[t.k] as number) - t.coefficient * it.floorA;
      risingW[t.k] = (risingW[t.k] as number) + t.coefficient * it.weight;
    }
  }

  return { valueA, frozenBy };
}
