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

/** Checks a password against a hash made by hashPassword; false for a malformed hash. */
export function verifyPassword(password: string, encoded: string): boolean {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  if (expected.length === 0) return false;
  const actual = scryptSync(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
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
