/**
 * One step of a seeded pseudo-random generator (mulberry32) kept in strategy state: the same
 * seed gives the same value, and the returned seed is the next state.
 */
export function nextUniform(seed: number): { value: number; seed: number } {
  const next = (seed + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, seed: next };
}
