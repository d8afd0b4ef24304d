import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseSiteConfig } from '../../../src/config/load.js';
import { resolveSecret } from '../../../src/config/secret.js';

function problemsOf(yaml: string): string {
  try {
    parseSiteConfig(yaml, 'site.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

describe('secrets from the environment', () => {
  const set: string[] = [];
  const setEnv = (name: string, value: string) => {
    process.env[name] = value;
    set.push(name);
  };
  afterEach(() => {
    for (const n of set.splice(0)) delete process.env[n];
  });

  it('reads ${NAME} from the environment', () => {
    setEnv('SWITCHYARD_TEST_API_TOKEN', 'from-the-environment-1');
    const cfg = parseSiteConfig('api: { token: "${SWITCHYARD_TEST_API_TOKEN}" }\n', 'site.yaml');
    expect(cfg.api.token).toBe('from-the-environment-1');
  });

  it('reads NAME_FILE when NAME is not set, without the trailing newline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'switchyard-secret-')), 'password');
    writeFileSync(file, 'upstream-secret\n');
    setEnv('SWITCHYARD_TEST_UP_PW_FILE', file);
    const cfg = parseSiteConfig('upstream: { mode: hub, url: "ws://csms.example/ocpp", identity: SITE1, password: "${SWITCHYARD_TEST_UP_PW}" }\n', 'site.yaml');
    expect(cfg.upstream.password).toBe('upstream-secret');
  });

  it('names the field and the variable when it is not set', () => {
    const msg = problemsOf('api: { token: "${SWITCHYARD_TEST_MISSING}" }\n');
    expect(msg).toContain('api.token');
    expect(msg).toContain('SWITCHYARD_TEST_MISSING');
  });

  it('checks the resolved value (a token of 8 characters at least)', () => {
    setEnv('SWITCHYARD_TEST_SHORT', 'short');
    expect(problemsOf('api: { token: "${SWITCHYARD_TEST_SHORT}" }\n')).toContain('api.token');
  });

  it('keeps literals, and $${...} stands for a literal ${...}', () => {
    expect(resolveSecret('plain-secret', {})).toEqual({ ok: true, value: 'plain-secret' });
    expect(resolveSecret('$${NOT_A_REF}', {})).toEqual({ ok: true, value: '${NOT_A_REF}' });
  });
});

describe('the API beyond loopback', () => {
  it('is refused without a token', () => {
    const msg = problemsOf('api: { host: 0.0.0.0 }\n');
    expect(msg).toContain('api.token');
    expect(msg).toContain('allowNoTokenBeyondLoopback');
  });

  it('is accepted with a token, or when explicitly allowed without one', () => {
    expect(problemsOf('api: { host: 0.0.0.0, token: a-long-token-1 }\n')).toBe('');
    expect(problemsOf('api: { host: 0.0.0.0, allowNoTokenBeyondLoopback: true }\n')).toBe('');
    expect(problemsOf('api: { host: 127.0.0.1 }\n')).toBe('');
  });
});
