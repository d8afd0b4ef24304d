import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** `${NAME}`: the whole value is a reference to an environment variable. */
const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export type SecretResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * Resolves a secret written in a config file. A literal stays as it is (`$${...}` stands for a
 * literal `${...}`); `${NAME}` takes the environment variable NAME, or, when NAME is not set, the
 * contents of the file named by NAME_FILE (container secrets), without a trailing newline.
 */
export function resolveSecret(value: string, env: NodeJS.ProcessEnv = process.env): SecretResult {
  if (value.startsWith('$${')) return { ok: true, value: value.slice(1) };
  const name = REFERENCE.exec(value)?.[1];
  if (name === undefined) return { ok: true, value };
  const direct = env[name];
  if (direct !== undefined && direct !== '') return { ok: true, value: direct };
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== '') {
    try {
      return { ok: true, value: readFileSync(file, 'utf8').replace(/\r?\n$/, '') };
    } catch (err) {
      return { ok: false, message: `expected ${name}_FILE to name a readable file, found ${JSON.stringify(file)} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` };
    }
  }
  return { ok: false, message: `expected the environment variable ${name} (or ${name}_FILE) to be set` };
}

/** A config string that may be a `${NAME}` reference, checked by `inner` once resolved. */
export function secretString<T extends z.ZodType<string, string>>(inner: T) {
  return z
    .string()
    .transform((v, ctx) => {
      const r = resolveSecret(v);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    })
    .pipe(inner);
}
