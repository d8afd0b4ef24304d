import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt parameters: N=2^14, r=8, p=1 (about 16 MiB, ~30-50 ms per check on a small box). */
const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

/** Hashes a Basic-auth password for the config file: `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEY_BYTES, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/**
 * hashPassword without blocking the event loop (for the hub at run time, e.g. commissioning
 * approval): node:crypto's callback scrypt runs in the libuv thread pool. Same format.
 */
export function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { N, r: R, p: P }, (err, hash) => {
      if (err) reject(err);
      else resolve(['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$'));
    });
  });
}

/** Most memory one check may take (scrypt needs about 128 x N x r bytes). */
const MAX_MEM_BYTES = 64 * 1024 * 1024;

/**
 * Why `encoded` is not a usable hash, or undefined when it is: the shape
 * `scrypt$N$r$p$<salt b64>$<hash b64>`, N a power of two from 2 to 2^20, r and p positive
 * integers, memory within 64 MiB, a salt and a hash of at least 16 bytes. Checked when the
 * config is loaded, so a typo is refused there and not at the first login.
 */
export function passwordHashProblem(encoded: string): string | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return 'expected scrypt$N$r$p$salt$hash, as printed by `switchyard hash-password`';
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const [nN, nR, nP] = [n, r, p].map((x) => (/^[1-9][0-9]{0,9}$/.test(x) ? Number(x) : NaN)) as [number, number, number];
  if (!Number.isInteger(nN) || nN < 2 || nN > 2 ** 20 || (nN & (nN - 1)) !== 0) return `expected N (the 2nd field) to be a power of two from 2 to 1048576, found ${JSON.stringify(n)}`;
  if (!Number.isInteger(nR)) return `expected r (the 3rd field) to be a positive integer, found ${JSON.stringify(r)}`;
  if (!Number.isInteger(nP)) return `expected p (the 4th field) to be a positive integer, found ${JSON.stringify(p)}`;
  if (128 * nN * nR * nP > MAX_MEM_BYTES) return `expected N x r x p to fit in ${MAX_MEM_BYTES / 1024 / 1024} MiB of scrypt memory, found N=${nN} r=${nR} p=${nP}`;
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!b64.test(saltB64) || Buffer.from(saltB64, 'base64').length < 16) return 'expected a base64 salt of at least 16 bytes (the 5th field)';
  if (!b64.test(hashB64) || Buffer.from(hashB64, 'base64').length < 16) return 'expected a base64 hash of at least 16 bytes (the 6th field)';
  return undefined;
}

/** Checks a password against a hash made by hashPassword; false for a malformed or unusable hash (never throws). */
export function verifyPassword(password: string, encoded: string): boolean {
  if (passwordHashProblem(encoded) !== undefined) return false;
  const [, n, r, p, saltB64, hashB64] = encoded.split('$') as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  try {
    const actual = scryptSync(password, Buffer.from(saltB64, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: MAX_MEM_BYTES + 1024 * 1024,
    });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/**
 * verifyPassword without blocking the event loop: node:crypto's callback scrypt runs in the libuv
 * thread pool. Resolves false for a malformed hash or unusable parameters (never rejects).
 */
export function verifyPasswordAsync(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return Promise.resolve(false);
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  if (expected.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 }, (err, actual) => {
        resolve(!err && timingSafeEqual(actual, expected));
      });
    } catch {
      resolve(false);
    }
  });
}
