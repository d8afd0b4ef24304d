import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/packed-install.js';

const UNIT = join(REPO_ROOT, 'contrib', 'switchyard.service');
const SYSTEM_UNITS = '/usr/lib/systemd/system';
/*
 * A system check, not part of `npm test` (a machine with only Node.js has no systemd-analyze):
 * `.ci/run` and scripts/verify-systemd-unit.sh install systemd and run it with
 * vitest.system.config.ts. Without systemd-analyze it fails; it never skips.
 */
if (spawnSync('systemd-analyze', ['--version']).status !== 0 || !existsSync(SYSTEM_UNITS)) {
  throw new Error('systemd-analyze is not installed: run scripts/verify-systemd-unit.sh (installs Debian\'s systemd, then verifies)');
}

const root = mkdtempSync(join(tmpdir(), 'switchyard-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * `systemd-analyze verify` of the unit as shipped, in a scratch root that holds the system's
 * own units and an executable where ExecStart expects the installed command. Warnings (unknown
 * keys, bad values) do not change its exit code, so the test also wants no output at all.
 */
function verify(unitText: string): { status: number | null; output: string } {
  mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
  if (!existsSync(join(root, SYSTEM_UNITS))) cpSync(SYSTEM_UNITS, join(root, SYSTEM_UNITS), { recursive: true });
  const exec = /^ExecStart=(\S+)/m.exec(unitText)?.[1];
  if (!exec) throw new Error('the unit has no ExecStart');
  mkdirSync(join(root, exec, '..'), { recursive: true });
  writeFileSync(join(root, exec), '#!/bin/sh\n');
  chmodSync(join(root, exec), 0o755);
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'etc/systemd/system/switchyard.service'), unitText);
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '/etc/systemd/system/switchyard.service'], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('the systemd unit', () => {
  it('passes systemd-analyze verify without a warning', () => {
    expect(verify(readFileSync(UNIT, 'utf8'))).toEqual({ status: 0, output: '' });
  });

  it('the check catches a mistake in the unit', () => {
    const misspelt = readFileSync(UNIT, 'utf8').replace('Restart=on-failure', 'Restat=on-failure');
    expect(verify(misspelt).output).toContain("Unknown key 'Restat'");
    const badValue = readFileSync(UNIT, 'utf8').replace('Restart=on-failure', 'Restart=sometimes');
    expect(verify(badValue).output).toContain('sometimes');
  });

  it('runs the installed command with the flags the CLI knows', () => {
    const exec = /^ExecStart=(.*)$/m.exec(readFileSync(UNIT, 'utf8'))?.[1] ?? '';
    expect(exec.split(' ')[0]).toMatch(/\/switchyard$/);
    const help = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    for (const flag of exec.split(' ').filter((a) => a.startsWith('--'))) expect(help).toContain(flag);
  });
});
