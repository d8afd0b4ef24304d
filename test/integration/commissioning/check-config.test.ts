import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { checkConfigCommand } from '../../../src/cli/check-config.js';
import { openStore } from '../../../src/store/store.js';
import { dbPathOf } from '../../../src/config/data-dir.js';
import { hashPassword } from '../../../src/evse/password.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

it('check-config lists the stations added by commissioning, hides their hash, and says the YAML wins where both define one', () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-check-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  writeFileSync(join(dir, 'site.yaml'), `data: { dir: ${dataDir} }\ncircuits: [{ id: main, maxCurrentA: 32, worstCaseNonEvA: 0 }]\nstations:\n  - { id: YAML1, securityProfile: 0 }\n`);
  const store = openStore({ path: dbPathOf(dataDir) });
  const hash = hashPassword('a-password-of-twenty');
  store.commissioned.upsert({ stationId: 'DB1', config: { securityProfile: 1, evses: [{ id: 1, circuit: 'main', maxCurrentA: 20 }] }, passwordHash: hash, version: '1.6' });
  store.commissioned.upsert({ stationId: 'YAML1', config: { securityProfile: 1, evses: [{ id: 1 }] }, passwordHash: hash, version: '2.0.1' });
  store.close();
  let stdout = '';
  const code = checkConfigCommand([join(dir, 'site.yaml')], new Writable({ write: (chunk: Buffer, _e, done) => ((stdout += chunk.toString()), done()) }));
  expect(stdout).toMatch(/no problems found/);
  expect(code).toBe(0);
  expect(stdout).toMatch(/# stations added by commissioning/);
  expect(stdout).toMatch(/id: DB1/);
  expect(stdout).toMatch(/circuit: main/);
  expect(stdout).not.toContain(hash);
  expect(stdout).toMatch(/warning: station YAML1 is defined in the site config and by commissioning: the site config wins/);
});
