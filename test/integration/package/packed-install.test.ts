import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installTarball, packCheckout, tarballFiles } from '../../helpers/packed-install.js';
import { spawnHub } from '../../helpers/hub-process.js';

const work = mkdtempSync(join(tmpdir(), 'switchyard-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Every step waits for its command or its log line; this cap only stops a hung run. Building
 * dist/ (tsc) and installing the dependencies from npm's cache take about a minute on an idle
 * two-core machine, several on a loaded one.
 */
const CAP_MS = 600_000;

describe('the npm package', () => {
  it('packs the build and its assets, installs into an empty folder and runs the demo from there', async () => {
    const tarball = await packCheckout(join(work, 'pack'));

    const files = await tarballFiles(tarball);
    for (const f of ['package.json', 'bin/switchyard.js', 'dist/src/main.js', 'dist/src/api/dashboard/assets/index.html', 'site-config/demo.yaml', 'README.md', 'LICENSE', 'contrib/switchyard.service']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|bench|scripts)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);

    const app = join(work, 'app');
    await installTarball(tarball, app);

    // The demo (the package's default config) from the installed command, data in a temp folder.
    const hub = await spawnHub({
      command: join(app, 'node_modules', '.bin', 'switchyard'),
      prefixArgs: [],
      args: ['--port', '0', '--api-port', '0', '--data-dir', join(work, 'data')],
      cwd: app,
    });
    try {
      // The command's first line caps Node's old space (README, "Memory"); the hub logs the limit.
      const cap = Number(/--max-old-space-size=(\d+)/.exec(readFileSync(join(app, 'node_modules', 'switchyard-hub', 'bin', 'switchyard.js'), 'utf8'))?.[1]);
      const limit = hub.logs.find((r) => r['msg'] === 'V8 heap limit')?.['heapLimitMiB'];
      expect(cap).toBeGreaterThan(0);
      expect(limit).toBeGreaterThanOrEqual(cap);
      expect(limit).toBeLessThan(cap + 200); // the old space plus the young generation
      const health = await fetch(`${hub.apiUrl}/api/health`);
      expect(health.status).toBe(200);
      // Alive; degraded until the simulated chargers have connected.
      expect(await health.json()).toMatchObject({ status: expect.stringMatching(/^(ok|degraded)$/) });
      // The dashboard's page comes from the assets shipped in dist/.
      const page = await fetch(`${hub.apiUrl}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
    } finally {
      await hub.stop();
    }
    expect(hub.child.exitCode).toBe(0);
  }, CAP_MS);
});
