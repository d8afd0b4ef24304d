import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { verifyPassword } from '../../../src/evse/password.js';
import { checkConfigCommand } from '../../../src/cli/check-config.js';
import { describeFailure, EXIT } from '../../../src/cli/exit-codes.js';
import { parseSiteConfig } from '../../../src/config/load.js';
import { startHub } from '../../../src/hub.js';
import { silentLogger } from '../../../src/util/logger.js';

/** A spawned CLI compiles TypeScript on start: slow on a busy machine, so these tests get time. */
const SPAWN_TIMEOUT_MS = 180_000;

/** Runs `check-config` in this process; resolves with its exit code and output. */
function checkConfig(args: string[]): { code: number; stdout: string } {
  let stdout = '';
  const out = new Writable({ write: (chunk: Buffer, _enc, done) => ((stdout += chunk.toString()), done()) });
  const code = checkConfigCommand(args, out);
  return { code, stdout };
}

const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const MAIN = join(ROOT, 'src/main.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end. */
function cli(args: string[], opts: { cwd?: string; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.stdin ?? '');
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** Starts the hub; resolves with the log records up to 'API listening' and a stop function. */
function startCli(args: string[], cwd: string): Promise<{ records: Array<Record<string, unknown>>; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args, '--json-logs'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  const records: Array<Record<string, unknown>> = [];
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`hub exited early with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        records.push(rec);
        if (rec['msg'] === 'API listening') {
          child.removeAllListeners('exit');
          resolvePromise({
            records,
            stop: () =>
              new Promise((done) => {
                child.once('exit', (code) => done(code));
                child.kill('SIGTERM');
              }),
          });
        }
      } catch {
        // not a log line
      }
    });
  });
}

const SITE = `
server: { host: 0.0.0.0, port: 0, pingIntervalS: 0 }
api: { port: 0 }
stations:
  - { id: CP1, securityProfile: 0 }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 10 }
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchyard command line', () => {
  it('prints the package version', { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `switchyard ${version}\n` });
  });

  it('hash-password reads the password from stdin and refuses it as an argument', { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const run = await cli(['hash-password'], { stdin: 'correct horse\n' });
    expect(run.code).toBe(0);
    expect(verifyPassword('correct horse', run.stdout.trim())).toBe(true);
    const refused = await cli(['hash-password', 'correct horse']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/reads the password from standard input/);
  });

  it('check-config prints the effective config with secrets hidden and exits 0 without problems', async () => {
    writeFileSync(join(dir, 'good.yaml'), `${SITE}api: { port: 0, token: very-secret-token }\n`.replace('api: { port: 0 }\n', ''));
    const run = checkConfig([join(dir, 'good.yaml')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/maxFrameBytes: 65536/);
    expect(run.stdout).toMatch(/token: <hidden>/);
    expect(run.stdout).not.toMatch(/very-secret-token/);
    expect(run.stdout).toMatch(/no problems found/);
  });

  it('check-config lists every problem with its field and exits 3, starting nothing', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      `
server: { port: 9100, tls: { certFile: nope.pem, keyFile: nope.key } }
api: { port: 9100 }
data: { dir: ./bad-data }
circuits:
  - { id: main, maxCurrentA: 20 }
  - { id: row-a, parent: row-b, maxCurrentA: 16, meter: nothing }
  - { id: row-b, parent: row-a, maxCurrentA: 16 }
`,
    );
    const run = checkConfig([join(dir, 'bad.yaml')]);
    expect(run.code).toBe(3);
    for (const field of ['circuits[1].parent', 'circuits[1].meter', 'circuits[0].worstCaseNonEvA', 'api.port', 'server.tls.certFile', 'server.tls.keyFile']) {
      expect(run.stdout).toContain(`  ${field}: expected`);
    }
    expect(existsSync(join(dir, 'bad-data'))).toBe(false);
  });

  it('refuses a copied demo config with simulated devices unless --simulate', async () => {
    writeFileSync(join(dir, 'copied-demo.yaml'), readFileSync(join(ROOT, 'site-config/demo.yaml')));
    const refused = checkConfig([join(dir, 'copied-demo.yaml')]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/simulation\.enabled: this config runs 6 simulated chargers .* and a simulated site meter instead of real devices/);
    expect(checkConfig([join(dir, 'copied-demo.yaml'), '--simulate']).code).toBe(0);
  });

  it('check-config reports an empty file and a data dir under /proc', () => {
    writeFileSync(join(dir, 'empty.yaml'), '');
    const empty = checkConfig([join(dir, 'empty.yaml')]);
    expect(empty.code).toBe(EXIT.configInvalid);
    expect(empty.stdout).toMatch(/empty\.yaml: 1 problem\n {2}\(root\): expected a site config, found an empty file/);
    writeFileSync(join(dir, 'proc.yaml'), `${SITE}data: { dir: /proc/switchyard-test }\n`);
    expect(checkConfig([join(dir, 'proc.yaml')]).stdout).toMatch(/data\.dir: expected a directory on a disk, found a path under \/proc/);
  });

  it('refuses to start on a data dir under /proc with exit code 3, writing nothing', { timeout: SPAWN_TIMEOUT_MS }, async () => {
    writeFileSync(join(dir, 'proc-start.yaml'), `${SITE}data: { dir: /proc/switchyard-test }\n`);
    const proc = await cli(['--config', join(dir, 'proc-start.yaml')]);
    expect(proc.code).toBe(EXIT.configInvalid);
    expect(proc.stderr).toMatch(/proc-start\.yaml: invalid site config\n {2}data\.dir: expected a directory on a disk, found a path under \/proc/);
  });

  it('exits 4 naming the address when the OCPP port is in use', { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    writeFileSync(join(dir, 'busy.yaml'), SITE.replace('host: 0.0.0.0, port: 0', `host: 127.0.0.1, port: ${port}`));
    const run = await cli(['--config', join(dir, 'busy.yaml'), '--data-dir', join(dir, 'busy-data')]);
    blocker.close();
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use by another process (EADDRINUSE)`);
  });

  it('names the database and exit code 6 when it is corrupt', async () => {
    mkdirSync(join(dir, 'corrupt-data'));
    const dbPath = join(dir, 'corrupt-data', 'switchyard.db');
    writeFileSync(dbPath, Buffer.alloc(8192, 7));
    const config = parseSiteConfig(SITE, join(dir, 'corrupt.yaml'));
    config.data.dir = './corrupt-data';
    const err: unknown = await startHub({ config, configPath: join(dir, 'corrupt.yaml'), log: silentLogger() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = describeFailure(err, { dbPath });
    expect(failure.code).toBe(EXIT.databaseCorrupt);
    expect(failure.message).toContain(`the database ${dbPath} is corrupt or not a Switchyard database (SQLITE_NOTADB`);
    expect(failure.message).toMatch(/Restore it from a backup, or move it away/);
  });

  it('names the path and exit code 5 when the database cannot be written', () => {
    const failure = describeFailure(Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }), { dbPath: '/srv/sy/switchyard.db' });
    expect(failure).toEqual({
      code: EXIT.dataDirUnwritable,
      message: 'switchyard: cannot write /srv/sy/switchyard.db (SQLITE_READONLY: attempt to write a readonly database). Make the data directory writable by the user running switchyard, or choose another with data.dir / --data-dir.',
    });
  });

  it('resolves --data-dir against the working directory and logs the addresses really bound', { timeout: SPAWN_TIMEOUT_MS }, async () => {
    const cwd = join(dir, 'work');
    mkdirSync(cwd);
    writeFileSync(join(dir, 'site.yaml'), SITE);
    const hub = await startCli(['--config', join(dir, 'site.yaml'), '--data-dir', 'rel-data'], cwd);
    const ocpp = hub.records.find((r) => r['msg'] === 'OCPP endpoint listening');
    const api = hub.records.find((r) => r['msg'] === 'API listening');
    expect(await hub.stop()).toBe(0);
    expect(existsSync(join(cwd, 'rel-data', 'switchyard.db'))).toBe(true);
    expect(ocpp?.['bound']).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(api?.['bound']).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
