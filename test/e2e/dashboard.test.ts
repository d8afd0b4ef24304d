import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { startTestHub, type Harness } from '../helpers/hub-harness.js';
import { E2E_SITE_YAML, E2E_TOKEN, launchChromium } from './demo-site.js';

/**
 * The dashboard in a real browser (Debian's headless Chromium) against a running hub with a
 * simulated fleet and site meter, on the real clock: the page waits for what it shows, never
 * for a fixed time.
 */
let h: Harness;
let browser: Browser;
let page: Page;

/** Set up once; every test awaits it, so a missing browser fails each test with its message. */
let ready: Promise<void>;

beforeAll(async () => {
  ready = (async () => {
    browser = await launchChromium();
    h = await startTestHub(E2E_SITE_YAML);
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    await page.goto(`${h.hub.apiUrl}/`);
  })();
  await ready.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

const kwOf = (text: string | null): number => Number.parseFloat(text ?? '');

describe('the dashboard', () => {
  it('shows the site power live: a building load step reaches the page within seconds', async () => {
    await ready;
    await page.waitForFunction(() => /kW/.test(document.getElementById('grid-power')?.textContent ?? ''));
    const before = kwOf(await page.textContent('#grid-power'));
    const simMeter = h.hub.energy.simMeter;
    if (!simMeter) throw new Error('the e2e site has a simulated site meter');
    simMeter.addStep(4000);
    await page.waitForFunction((old) => Number.parseFloat(document.getElementById('grid-power')?.textContent ?? '') >= old + 3.5, before, { timeout: 15_000 });
    const points = await page.getAttribute('#chart', 'data-points');
    expect(Number(points)).toBeGreaterThan(1);
    expect(await page.textContent('#limit-source')).toBe('fuse:main');
    await page.waitForFunction(() => document.getElementById('upstream')?.textContent === 'standalone (no CSMS)');
  });

  it('sets a site limit from the form, asking once for the token', async () => {
    await ready;
    await page.fill('#limit-kw', '7.5');
    await page.click('#limit-form button[type=submit]');
    await page.waitForSelector('#token-row', { state: 'visible' });
    await page.fill('#token', E2E_TOKEN);
    await page.click('#limit-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('form-status')?.textContent === 'Site limit set.');

    const site = (await (await fetch(`${h.hub.apiUrl}/api/site`)).json()) as { siteLimit?: { powerW: number; source: string } };
    expect(site.siteLimit).toMatchObject({ powerW: 7500, source: 'override:api' });
    await page.waitForFunction(() => /7\.5 kW/.test(document.getElementById('override-now')?.textContent ?? ''));

    // The token is kept for the tab: clearing does not ask again.
    await page.click('#limit-clear');
    await page.waitForFunction(() => document.getElementById('form-status')?.textContent === 'Override cleared.');
    const after = (await (await fetch(`${h.hub.apiUrl}/api/site`)).json()) as { siteLimit?: unknown };
    expect(after.siteLimit).toBeUndefined();
    await page.waitForFunction(() => /^No override/.test(document.getElementById('override-now')?.textContent ?? ''));
    expect(await page.isVisible('#token-row')).toBe(false);
  });

  it('explains every EVSE limit with its source, and looks right', async () => {
    await ready;
    for (const key of ['CP01/1', 'CP02/1', 'CP03/1']) {
      await page.waitForFunction((k) => /\w+:\S+/.test(document.querySelector(`tr[data-evse="${k}"] .binding`)?.textContent ?? ''), key, { timeout: 15_000 });
    }
    const sources = await page.$$eval('#evse-table .binding', (els) => els.map((e) => e.textContent ?? ''));
    expect(sources).toHaveLength(3);
    for (const s of sources) expect(s).toMatch(/^(evse|circuit|fuse|failsafe|override|guard|strategy|csms):/);
    expect(await page.textContent('#events')).toMatch(/CP0\d connected/);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  });
});
