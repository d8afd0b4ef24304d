import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { RPCClient } from 'ocpp-rpc';
import { startTestHub, ocppClient, boot16, type Harness } from '../helpers/hub-harness.js';
import { E2E_TOKEN, e2eSiteYaml, launchChromium } from './demo-site.js';
import type { PowerHistory } from '../../src/api/history-queries.js';

/**
 * Power history and sessions in a real browser against a running hub (real clock, real SQLite
 * file): the e2e site plus one charger of our own (CP09, an ocpp-rpc strict 1.6 client) that
 * charges and stops, so a completed session exists. The page must show stored history after a
 * reload and after the hub restarts on the same data directory, list the session and download
 * it as CSV. It waits for what it checks, never for a fixed time.
 */
const SITE_YAML = e2eSiteYaml([
  { id: 'CP09', securityProfile: 0, evses: [{ id: 1, circuit: 'row-b', phases: 1, phaseRotation: ['L1'], maxCurrentA: 16 }] },
]);

let h: Harness;
let browser: Browser;
let page: Page;
let hubRestarted: Harness | undefined;
let ready: Promise<void>;

/** Polls the API until `pred` holds (the hub samples every 5 s): waits for a state, not a time. */
async function waitForApi<T>(apiUrl: string, path: string, pred: (body: T) => boolean): Promise<T> {
  for (;;) {
    const body = (await (await fetch(`${apiUrl}${path}`)).json()) as T;
    if (pred(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** CP09 charges at 10 A on one phase (2.3 kW) until the hub has sampled it, then stops with 0.5 kWh. */
async function chargeOnce(cp: RPCClient, apiUrl: string): Promise<void> {
  const now = () => new Date().toISOString();
  await cp.call('BootNotification', boot16);
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
  const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'DEMO-TAG-01', meterStart: 1000, timestamp: now() })) as { transactionId: number };
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId,
    meterValue: [{ timestamp: now(), sampledValue: [{ value: '10', measurand: 'Current.Import', phase: 'L1', unit: 'A' }, { value: '1200', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
  });
  await waitForApi<PowerHistory>(apiUrl, '/api/history?range=1h', (b) => (b.evses.find((e) => e.evseKey === 'CP09/1')?.maxW ?? []).some((w) => w === 2300));
  await cp.call('StopTransaction', { transactionId, idTag: 'DEMO-TAG-01', meterStop: 1500, timestamp: now(), reason: 'Local' });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
}

function shot(p: Page, name: string): Promise<Buffer> {
  mkdirSync('test-results', { recursive: true });
  return p.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}

beforeAll(async () => {
  ready = (async () => {
    browser = await launchChromium();
    h = await startTestHub(SITE_YAML);
    const cp = ocppClient(h.hub.ocppUrl, 'CP09');
    cp.handle(async () => ({ status: 'Accepted' }));
    await cp.connect();
    try {
      await chargeOnce(cp, h.hub.apiUrl);
    } finally {
      await cp.close();
    }
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
    page = await context.newPage();
    await page.goto(`${h.hub.apiUrl}/`);
  })();
  await ready.catch(() => undefined);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hubRestarted?.stop();
  await h?.stop();
});

const historyPoints = (p: Page) => p.getAttribute('#chart', 'data-history-points').then(Number);

describe('dashboard history and sessions', () => {
  it('draws the stored history on page load, again after a reload, then continues live', async () => {
    await ready;
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.historyPoints) >= 1);
    await page.reload();
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.historyPoints) >= 1);
    expect(await page.getAttribute('#chart', 'data-range')).toBe('1h');
    // Live snapshots add to it.
    const drawn = Number(await page.getAttribute('#chart', 'data-points'));
    expect(drawn).toBeGreaterThanOrEqual(await historyPoints(page));
    await page.waitForFunction((n) => Number(document.getElementById('chart')?.dataset.points) > n, drawn);
    expect(await page.textContent('#history-status')).toMatch(/^history: \d+ steps? of 1 min$/);
  });

  it('switches the chart range and remembers the choice', async () => {
    await ready;
    await page.click('#history-range button[data-range="24h"]');
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.range === '24h');
    expect(await page.getAttribute('#history-range button[data-range="24h"]', 'aria-pressed')).toBe('true');
    await page.waitForFunction(() => /^history: \d+ steps? of 2 min$/.test(document.getElementById('history-status')?.textContent ?? ''));
    await page.reload();
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.range === '24h');
    await page.click('#history-range button[data-range="1h"]');
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.range === '1h');
  });

  it('lists the completed session with its energy and peak power, the id token masked', async () => {
    await ready;
    const row = '#sessions-table tr[data-session^="CP09/1 "]';
    await page.waitForSelector(row);
    const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent?.trim() ?? ''));
    expect(cells[0]).toBe('CP09/1');
    expect(cells[1]).toBe('***01');
    expect(cells[5]).toBe('0.50 kWh');
    expect(cells[6]).toBe('2.3 kW');
    await shot(page, 'history-sessions');
  });

  it('downloads the sessions as CSV: masked without the API token, in full with it', async () => {
    await ready;
    const [plain] = await Promise.all([page.waitForEvent('download'), page.click('#sessions-csv')]);
    expect(plain.suggestedFilename()).toBe('sessions.csv');
    const text = readFileSync(await plain.path(), 'utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('station,evse,transaction,id_token,start_utc,end_utc,energy_kwh,max_power_kw,stopped_reason');
    expect(lines.filter((l) => l.startsWith('CP09,1,'))).toEqual([expect.stringMatching(/^CP09,1,\d+,\*\*\*01,[^,]+Z,[^,]+Z,0\.5,2\.3,Local$/)]);

    await page.evaluate((token) => sessionStorage.setItem('switchyard.apiToken', token), E2E_TOKEN);
    const [full] = await Promise.all([page.waitForEvent('download'), page.click('#sessions-csv')]);
    const fullText = readFileSync(await full.path(), 'utf8');
    expect(fullText.split('\r\n').filter((l) => l.startsWith('CP09,1,'))).toEqual([expect.stringMatching(/^CP09,1,\d+,DEMO-TAG-01,/)]);
  });

  it('fits the range choice and the sessions list on a 360 px phone without sideways scrolling of the page', async () => {
    await ready;
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      await page.waitForSelector('#sessions-table tr[data-session^="CP09/1 "]');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(await page.isVisible('#history-range button[data-range="6h"]')).toBe(true);
      await shot(page, 'history-phone');
    } finally {
      await page.setViewportSize({ width: 1360, height: 1000 });
    }
  });

  it('still shows the history and the session after the hub restarts on the same data directory', async () => {
    await ready;
    await h.hub.stop();
    hubRestarted = await startTestHub(SITE_YAML, { dir: h.dir });
    await page.goto(`${hubRestarted.hub.apiUrl}/`);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.historyPoints) >= 1);
    // The minute CP09 charged in, from the store of the restarted hub.
    const hist = (await (await fetch(`${hubRestarted.hub.apiUrl}/api/history?range=1h`)).json()) as PowerHistory;
    expect(hist.evses.find((e) => e.evseKey === 'CP09/1')?.maxW).toContain(2300);
    await page.waitForSelector('#sessions-table tr[data-session^="CP09/1 "]');
    await shot(page, 'history-after-restart');
  });
});
