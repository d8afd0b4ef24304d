/** Reading fields of already-validated OCPP payloads without casts. */
export type Fields = Record<string, unknown>;

export function fields(x: unknown): Fields {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Fields) : {};
}

export function numberField(x: unknown, key: string): number | undefined {
  const v = fields(x)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function stringField(x: unknown, key: string): string | undefined {
  const v = fields(x)[key];
  return typeof v === 'string' ? v : undefined;
}

export function arrayField(x: unknown, key: string): unknown[] {
  const v = fields(x)[key];
  return Array.isArray(v) ? v : [];
}

export function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
