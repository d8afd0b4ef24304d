/**
 * Whether two plain objects have the same own enumerable fields with equal values: `===`, or,
 * where that fails, `sameValue(field, x, y)` (a field whose values are objects compared deeper).
 */
export function sameFields<T extends object>(a: T, b: T, sameValue?: (field: string, x: unknown, y: unknown) => boolean): boolean {
  if (a === b) return true;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    n++;
    const x = ao[k];
    const y = bo[k];
    if (x !== y && !sameValue?.(k, x, y)) return false;
  }
  for (const _k in bo) n--;
  return n === 0;
}
