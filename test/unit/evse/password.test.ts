import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordAsync, passwordHashProblem, verifyPassword, verifyPasswordAsync } from '../../../src/evse/password.js';

describe('password hashes', () => {
  it('makes with the async path a hash that both checks accept, and that refuses another password', async () => {
    const encoded = await hashPasswordAsync('correct horse');
    expect(passwordHashProblem(encoded)).toBeUndefined();
    expect(encoded).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(verifyPassword('correct horse', encoded)).toBe(true);
    expect(await verifyPasswordAsync('correct horse', encoded)).toBe(true);
    expect(await verifyPasswordAsync('wrong horse', encoded)).toBe(false);
  });

  it('salts every hash, on the sync and the async path alike', async () => {
    const [a, b] = await Promise.all([hashPasswordAsync('same'), hashPasswordAsync('same')]);
    expect(a).not.toBe(b);
    expect(hashPassword('same')).not.toBe(a);
  });
});
