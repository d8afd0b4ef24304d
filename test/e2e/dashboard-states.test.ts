import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { RPCClient } from 'ocpp-rpc';
import type { Browser, Page } from 'playwright-core';
import { boot2x, ocppClient, startTestHub, type Harness } from '../helpers/hub-harness.js';
import { launchChromium } from './demo-site.js';

/**
 * States the page shows must be true: a 2.0.1 charger's chargingState, stations that never
 * connected, a hub that went away; plain labels, phone width, dark mode, a site limit the grid
 * connection cannot carry. Real hub, real browser, an ocpp-rpc 2.0.1 client as the charger.
 */
const TOKEN = 'states-token-0123456789';
const SITE = `
site: { name: States site, voltageV: 230 }
api: { token: ${TOKEN}, streamNeedsToken: false }
energy: { debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 25, worstCaseNonEvA: 10 }
stations:
  - { id: CP201, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 3, maxCurrentA: 16 }] }
  - { id: NEVER, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 1, maxCurrentA: 16 }] }
`;
/** 3 x 25 A x 230 V. */
const CAPACITY_W = 17_250;

let h: Harness;
let hubStopped = false;
let browser: Browser;
let page: Page;
let cp: RPCClient;
let ready: Promise<void>;

beforeAll(async () => {
  ready = (async () => {
    browser = await launchChromium();
    h = await startTestHub(SITE);
    cp = ocppClient(h.hub.ocppUrl, 'CP201', { version: '2.0.1' });
    cp.handle(async () => ({ status: 'Accepted' }));
    await cp.connect();
    await cp.call('BootNotification', boot2x);
    await cp.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await cp.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'ChargingStateChanged',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-201', chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${h.hub.apiUrl}/`);
  })();
  await ready.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cp?.close();
  if (!hubStopped) await h?.stop();
});

function shot(p: Page, name: string): Promise<Buffer> {
  mkdirSync('test-results', { recursive: true });
  return p.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}

describe('states that are true', () => {
  it('shows a 2.0.1 charger that reports chargingState Charging as charging, on the page and in the API', async () => {
    await ready;
    const badge = 'tr[data-evse="CP201/1"] .status .badge';
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Charging', badge);
    expect(await page.getAttribute(badge, 'title')).toBe('OCPP status: Charging');

    const { stations } = (await (await fetch(`${h.hub.apiUrl}/api/stations`)).json()) as { stations: Array<{ stationId: string; evses: Array<{ connectors: Array<{ status: string; detail?: string }> }> }> };
    expect(stations.find((s) => s.stationId === 'CP201')?.evses[0]?.connectors[0]).toMatchObject({ status: 'Occupied', detail: 'Charging' });
  });

  it('counts a configured station that never connected as offline, with a plain label and the OCPP term on hover', async () => {
    await ready;
    await page.waitForFunction(() => document.getElementById('stations-online')?.textContent === '1/2 stations online');
    expect(await page.getAttribute('#stations-online', 'title')).toMatch(/NEVER: never connected/);
    expect(await page.textContent('tr[data-evse="NEVER/1"] .status .badge')).toBe('Offline');
  });

  it('refuses a site limit above the grid connection, on the page and in the API, with the reason', async () => {
    await ready;
    await page.fill('#limit-kw', '99999');
    await page.click('#limit-form button[type=submit]');
    await page.waitForFunction(() => /between 0 and 17\.3 kW/.test(document.getElementById('form-status')?.textContent ?? ''));

    const res = await fetch(`${h.hub.apiUrl}/api/site/limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ powerW: 99_999_000, durationS: 60 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; field: string; message: string } };
    expect(body.error).toMatchObject({ code: 'BAD_REQUEST', field: 'body.powerW' });
    expect(body.error.message).toContain(`${CAPACITY_W} W`);
    const site = (await (await fetch(`${h.hub.apiUrl}/api/site`)).json()) as { siteLimit?: unknown };
    expect(site.siteLimit).toBeUndefined();
  });

  // One page throughout: the npm-shipped Chromium runs as a single process, and closing a
  // second page can take the browser down with it.
  it('keeps status, offered, drawn and why of every EVSE on a 360 px phone without sideways scrolling', async () => {
    await ready;
    await page.setViewportSize({ width: 360, height: 780 });
    try {
      await page.waitForFunction(() => document.documentElement.clientWidth === 360);
      const layout = await page.evaluate(() => {
        const wrap = document.querySelector('#evse-table')?.parentElement;
        const row = document.querySelector('tr[data-evse="CP201/1"]');
        const shown = (sel: string) => {
          const el = row?.querySelector(sel);
          return el instanceof HTMLElement && el.offsetWidth > 0;
        };
        return {
          pageWidth: document.documentElement.scrollWidth,
          tableFits: wrap ? wrap.scrollWidth <= wrap.clientWidth : false,
          kept: ['.status', '.offered', '.drawn', '.why'].map(shown),
        };
      });
      expect(layout).toEqual({ pageWidth: 360, tableFits: true, kept: [true, true, true, true] });
      await shot(page, 'dashboard-phone');
    } finally {
      await page.setViewportSize({ width: 1360, height: 900 });
    }
  });

  it('follows the dark colour scheme of the system', async () => {
    await ready;
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.waitForFunction(() => matchMedia('(prefers-color-scheme: dark)').matches);
      const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number);
      expect(r + g + b).toBeLessThan(3 * 64);
      await shot(page, 'dashboard-dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('greys out and says since when once the hub has gone away', async () => {
    await ready;
    await page.waitForSelector('#live.on');
    expect(await page.isVisible('#not-live')).toBe(false);
    hubStopped = true;
    await h.stop();
    await page.waitForSelector('#not-live', { state: 'visible' });
    expect(await page.textContent('#not-live-text')).toMatch(/^Not live: no update from the hub since \d/);
    expect(await page.evaluate(() => document.body.classList.contains('not-live'))).toBe(true);
    expect(await page.textContent('#live')).toMatch(/^disconnected since/);
    await shot(page, 'dashboard-not-live');
  });
});
