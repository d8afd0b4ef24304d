import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBeforeStart, ConfigError, parseSiteConfig } from '../../../src/config/load.js';
import { dataDirProblem } from '../../../src/config/data-dir.js';
import { hashPassword } from '../../../src/evse/password.js';
import { makeCa, makeServerCert } from '../../helpers/test-pki.js';

const FILE = 'site-config/test.yaml';

/** "path: message (found x)" of every problem parseSiteConfig reports for `text`. */
function problemsOf(text: string): string[] {
  return problemsOfError(() => parseSiteConfig(text, FILE));
}

function problemsOfError(fn: () => unknown, file = FILE): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(file);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}${p.found ? ` (found ${p.found})` : ''}`);
  }
  throw new Error('expected a ConfigError');
}

const station = 'stations:\n  - { id: CP1, securityProfile: 0, evses: [{ id: 1, circuit: row-a }] }\n';

describe('circuit tree checks', () => {
  it('refuses two circuits that feed each other', () => {
    const problems = problemsOf(`circuits:
  - { id: main, maxCurrentA: 20, worstCaseNonEvA: 10 }
  - { id: row-a, parent: row-b, maxCurrentA: 16 }
  - { id: row-b, parent: row-a, maxCurrentA: 16 }
${station}`);
    expect(problems).toEqual(['circuits[1].parent: expected a tree: circuits row-a -> row-b -> row-a feed each other in a cycle, so none of them is under the root\'s fuse']);
  });

  it('refuses a circuit that is its own parent', () => {
    const problems = problemsOf(`circuits:
  - { id: main, maxCurrentA: 20, worstCaseNonEvA: 10 }
  - { id: row-a, parent: row-a, maxCurrentA: 16 }
${station}`);
    expect(problems).toEqual(['circuits[1].parent: expected the id of another circuit (a circuit cannot feed itself) (found "row-a")']);
  });

  it('refuses a circuit meter that names no configured meter', () => {
    const problems = problemsOf(`circuits:
  - { id: main, maxCurrentA: 20, worstCaseNonEvA: 10, meter: gird }
meters:
  - { id: grid, readings: [{ quantity: powerW, topic: t/grid }] }
`);
    expect(problems).toEqual(['circuits[0].meter: expected the id of a configured meter (grid) (found "gird")']);
  });

  it('requires an explicit worstCaseNonEvA on the root circuit, explaining what it does', () => {
    const problems = problemsOf('circuits:\n  - { id: main, maxCurrentA: 20 }\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^circuits\[0\]\.worstCaseNonEvA: expected the highest load other than the chargers .*base profiles.*Write 0 if the circuit feeds only chargers/);
  });

  it('accepts an explicit 0 on the root', () => {
    expect(() => parseSiteConfig('circuits:\n  - { id: main, maxCurrentA: 20, worstCaseNonEvA: 0 }\n', FILE)).not.toThrow();
  });
});

describe('other checks at load', () => {
  it('refuses an empty file', () => {
    expect(problemsOf('')).toEqual([': expected a site config, found an empty file (write {} to run on every default; site-config/demo.yaml is an example)']);
    expect(problemsOf('# only a comment\n')).toHaveLength(1);
  });

  it('refuses the API on the OCPP port', () => {
    expect(problemsOf('server: { port: 9000 }\napi: { port: 9000 }\n')).toEqual(['api.port: expected a port other than server.port (the OCPP endpoint listens on 9000) (found 9000)']);
  });

  it('refuses a passwordHash whose scrypt N has a one-digit typo, naming the field', () => {
    const typo = hashPassword('secret-1').replace('$16384$', '$16394$');
    const problems = problemsOf(`stations:\n  - { id: CP1, passwordHash: '${typo}' }\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^stations\[0\]\.passwordHash: expected N \(the 2nd field\) to be a power of two from 2 to 1048576, found "16394"/);
  });

  it.each([
    ['too much memory', (h: string) => h.replace('$16384$8$', '$1048576$8$'), /fit in 64 MiB/],
    ['a short salt', (h: string) => h.replace(/\$[^$]+\$([^$]+)$/, '$AAAA$$$1'), /salt of at least 16 bytes/],
    ['a missing field', (h: string) => h.split('$').slice(0, 5).join('$'), /expected scrypt\$N\$r\$p\$salt\$hash/],
  ])('refuses a passwordHash with %s', (_name, mangle, message) => {
    const problems = problemsOf(`stations:\n  - { id: CP1, passwordHash: '${mangle(hashPassword('secret-1'))}' }\n`);
    expect(problems[0]).toMatch(message);
  });

  it('refuses a TLS cipher list OpenSSL does not know', () => {
    const problems = problemsOf("server:\n  tls: { certFile: a.pem, keyFile: a.key, ciphers: 'NO-SUCH-CIPHER' }\n");
    expect(problems[0]).toMatch(/^server\.tls\.ciphers: expected an OpenSSL cipher list/);
  });
});

describe('checks before start (files and data directory)', () => {
  let dir: string;
  const configFile = () => join(dir, 'site.yaml');
  const load = (yaml: string) => parseSiteConfig(yaml, configFile());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-site-checks-'));
    const ca = await makeCa();
    const other = await makeServerCert(ca);
    const server = await makeServerCert(ca);
    writeFileSync(join(dir, 'server.pem'), server.cert);
    writeFileSync(join(dir, 'server.key'), server.key);
    writeFileSync(join(dir, 'other.key'), other.key);
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello\n');
    writeFileSync(join(dir, 'a-file'), 'x');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a config whose TLS files and data directory are fine, and writes nothing', () => {
    const cfg = load('server:\n  tls: { certFile: server.pem, keyFile: server.key }\ndata: { dir: ./data }\n');
    expect(() => checkBeforeStart(cfg, configFile())).not.toThrow();
    expect(dataDirProblem(join(dir, 'data'))).toBeUndefined();
  });

  it('refuses missing or wrong TLS files, naming each field', () => {
    const cfg = load('server:\n  tls: { certFile: missing.pem, keyFile: server.key, caFile: not-a-cert.pem }\ndata: { dir: ./data }\n');
    const problems = problemsOfError(() => checkBeforeStart(cfg, configFile()), configFile());
    expect(problems).toEqual([
      `server.tls.certFile: expected a PEM certificate file, but ${join(dir, 'missing.pem')} does not exist (found "missing.pem")`,
      expect.stringMatching(/^server\.tls\.caFile: expected a PEM certificate in .*not-a-cert\.pem/),
    ]);
  });

  it('refuses a key that does not belong to the certificate', () => {
    const cfg = load('server:\n  tls: { certFile: server.pem, keyFile: other.key }\ndata: { dir: ./data }\n');
    expect(problemsOfError(() => checkBeforeStart(cfg, configFile()), configFile())[0]).toMatch(/^server\.tls\.keyFile: expected the key of server\.tls\.certFile/);
  });

  it('refuses a data directory under /proc at once (no hang), with the field', () => {
    const cfg = load('data: { dir: /proc/switchyard }\n');
    expect(problemsOfError(() => checkBeforeStart(cfg, configFile()), configFile())).toEqual([
      'data.dir: expected a directory on a disk, found a path under /proc (a kernel pseudo-filesystem) (found "/proc/switchyard")',
    ]);
  });

  it('refuses a data directory that is a file, or below a file', () => {
    expect(problemsOfError(() => checkBeforeStart(load('data: { dir: a-file }\n'), configFile()), configFile())).toEqual([
      'data.dir: expected a directory, found a file (found "a-file")',
    ]);
    expect(dataDirProblem(join(dir, 'a-file', 'sub'))).toEqual({ kind: 'config', message: `expected a directory, but ${join(dir, 'a-file')} is a file` });
  });

  it('reports a data directory this process may not write as its own kind', () => {
    mkdirSync(join(dir, 'ro'), { recursive: true });
    const readOnly = { checkWritable: () => { throw Object.assign(new Error('read-only'), { code: 'EROFS' }); } };
    try {
      checkBeforeStart(load('data: { dir: ./ro }\n'), configFile(), readOnly);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).kind).toBe('data-dir-unwritable');
      expect((err as ConfigError).problems[0]?.message).toBe(`expected a writable directory, but ${join(dir, 'ro')} is not writable by this process (EROFS)`);
    }
  });

  it('checks the ports again after command-line overrides', () => {
    const cfg = load('{}');
    cfg.server.port = 8080;
    expect(problemsOfError(() => checkBeforeStart(cfg, configFile()), configFile())[0]).toMatch(/^api\.port: expected a port other than server\.port/);
  });
});
