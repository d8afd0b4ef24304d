import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/store.js';
import { backupDatabase } from '../../../src/store/backup.js';
import { backupCommand } from '../../../src/cli/backup.js';
import { MIGRATIONS } from '../../../src/store/schema-steps.js';
import { StoreError } from '../../../src/store/store-error.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { boot16, ocppClient } from '../../helpers/hub-harness.js';
import { startHubProcess } from '../../helpers/hub-process.js';
import { REPO_ROOT } from '../../helpers/packed-install.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Waits for events only (log lines, answers, exits); caps a hung run. */
const CAP_MS = 180_000;

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: REPO_ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('backup', () => {
  it('copies what is committed while another connection holds the database open and writes', async () => {
    const clock = new FakeClock();
    const live = openStore({ path: join(dir, 'live.db'), clock });
    try {
      for (let i = 0; i < 200; i++) live.messages.append('CP-1', 'NotifyEvent', { i, pad: 'x'.repeat(500) });
      live.db.exec('BEGIN IMMEDIATE'); // a write in progress, not committed: not in the copy
      live.messages.append('CP-1', 'NotifyEvent', 'uncommitted');
      const result = await backupDatabase(join(dir, 'live.db'), join(dir, 'copy.db'));
      live.db.exec('COMMIT');
      live.messages.append('CP-1', 'NotifyEvent', 'after'); // the hub writes on after the backup

      expect(result.schemaVersion).toBe(MIGRATIONS.length);
      expect(result.bytes).toBeGreaterThan(100_000);
      const copy = openStore({ path: result.path, clock });
      try {
        expect(copy.messages.count()).toBe(200);
      } finally {
        copy.close();
      }
      expect(live.messages.count()).toBe(202);
    } finally {
      live.close();
    }
  });

  it('fails with STORE_BACKUP_FAILED and leaves no partial file when the target cannot be written', async () => {
    openStore({ path: join(dir, 'src.db') }).close();
    const target = join(dir, 'missing-folder', 'copy.db');
    const error = await backupDatabase(join(dir, 'src.db'), target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_BACKUP_FAILED');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('`switchyard backup FILE` copies the database of a running hub, which runs on', async () => {
    const configPath = join(dir, 'site.yaml');
    writeFileSync(configPath, 'data: { dir: ./hubdata }\nstations:\n  - { id: CPB, securityProfile: 0 }\n');
    const hub = await startHubProcess(configPath);
    try {
      const cp = ocppClient(hub.url, 'CPB', { callTimeoutMs: 120_000 });
      await cp.connect();
      await cp.call('BootNotification', boot16);

      const out = await runCli(['backup', join(dir, 'hub-copy.db'), '--config', configPath]);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toContain('backup written');
      await cp.call('Heartbeat', {}); // the hub still answers
      await cp.close();

      const copy = openStore({ path: join(dir, 'hub-copy.db') });
      try {
        expect(copy.stations.get('CPB')?.bootStatus).toBe('Accepted');
      } finally {
        copy.close();
      }
    } finally {
      await hub.stop();
    }
  }, CAP_MS);

  it('`switchyard backup` without a file says what it expects', async () => {
    await expect(backupCommand({ target: undefined, configPath: join(dir, 'site.yaml'), dataDir: undefined })).rejects.toThrow(/backup: expected the backup file/);
  });
});
