import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { RPCClient } from 'ocpp-rpc';
import type { Browser, Page } from 'playwright-core';
import { boot16, ocppClient, startTestHub, type Harness } from '../helpers/hub-harness.js';
import { launchChromium } from './demo-site.js';

/**
 * Commissioning from the dashboard in a real browser: an ocpp-rpc 2.0.1 charger in strict mode
 * that no config knows is refused (and listed), connects during a window opened from the page,
 * shows up pending with what it said about itself, is approved onto a circuit from the page,
 * takes its password over OCPP, logs in with it, is Accepted and gets a charging profile from
 * the load management. Waits for what the page and the charger show, never for a fixed time.
 */
const TOKEN = 'commissioning-e2e-token-0123';
const SITE = `
site: { name: Commissioning site, voltageV: 230 }
api: { token: ${TOKEN}, streamNeedsToken: false }
energy: { debounceMs: 100 }
circuits:
  - { id: main, maxCurrentA: 32, worstCaseNonEvA: 0 }
  - { id: row-a, parent: main, maxCurrentA: 20 }
  - { id: row-b, parent: main, maxCurrentA: 25 }
`;
const NEW_ID = 'WALLBOX-201';
const ROTATION = ['L2', 'L3', 'L1'];
const bootNew = {
  reason: 'PowerUp',
  chargingStation: { vendorName: 'AcmeCharge', model: 'Wallbox 22', serialNumber: 'SN-0042', firmwareVersion: '3.1.4' },
};

let h: Harness;
let browser: Browser;
let page: Page;
let ready: Promise<void>;
const clients: RPCClient[] = [];

beforeAll(async () => {
  ready = (async () => {
    browser = await launchChromium();
    h = await startTestHub(SITE);
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    await page.goto(`${h.hub.apiUrl}/`);
    await page.waitForSelector('#cm-window.closed');
  })();
  await ready.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close({ force: true }).catch(() => undefined);
  await browser?.close();
  await h?.stop();
});

function client(id: string, version: '1.6' | '2.0.1', password: string): RPCClient {
  const c = ocppClient(h.hub.ocppUrl, id, { version, password });
  clients.push(c);
  return c;
}

function shot(p: Page, name: string): Promise<Buffer> {
  mkdirSync('test-results', { recursive: true });
  return p.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}

interface ProfileParams {
  evseId: number;
  chargingProfile: { chargingSchedule: Array<{ chargingRateUnit: string; chargingSchedulePeriod: Array<{ limit: number }> }> };
}

/** Shared between the steps: the charger as it goes through commissioning. */
let pendingCp: RPCClient;
let givenPassword: Promise<string>;
let pendingClosed: Promise<void>;
let approvedCp: RPCClient | undefined;

describe('commissioning from the dashboard', () => {
  it('lists a refused unknown charger with its id, address, time and reason', async () => {
    await ready;
    await expect(client(NEW_ID, '2.0.1', 'just-guessing-1').connect()).rejects.toThrow();
    const row = `#cm-refused tr[data-refused="${NEW_ID}"]`;
    await page.waitForSelector(row);
    const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent ?? ''));
    expect(cells[0]).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(cells[1]).toBe(NEW_ID);
    expect(cells[2]).toContain('127.0.0.1');
    expect(cells[3]).toMatch(/^401: unknown station \(no commissioning window open\)/);
  });

  it('opens a window from the page, asking once for the API token, and counts its time down', async () => {
    await ready;
    await page.selectOption('#cm-duration', '900');
    await page.click('#cm-open');
    await page.waitForSelector('#cm-token-row', { state: 'visible' });
    await page.fill('#cm-token', TOKEN);
    await page.click('#cm-open');
    await page.waitForFunction(() => document.getElementById('cm-status')?.textContent === 'Commissioning window open.');
    await page.waitForSelector('#cm-window.open #cm-remaining');
    const shown = Number(await page.getAttribute('#cm-remaining', 'data-remaining-s'));
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(900);
    // The count goes down with the hub's clock.
    await page.waitForFunction((first) => Number(document.getElementById('cm-remaining')?.dataset.remainingS) < first, shown);
    expect(await page.textContent('#cm-remaining')).toMatch(/^1[0-4]:\d{2}$/);
    const state = (await (await fetch(`${h.hub.apiUrl}/api/commissioning`)).json()) as { window?: { untilMs: number } };
    expect(state.window?.untilMs).toBeGreaterThan(Date.now());
    expect(await page.isVisible('#cm-token-row')).toBe(false);
  });

  it('shows the charger that connects during the window as pending, with what it said about itself', async () => {
    await ready;
    pendingCp = client(NEW_ID, '2.0.1', 'any-password-at-all');
    let give!: (p: string) => void;
    givenPassword = new Promise((resolve) => (give = resolve));
    pendingClosed = new Promise((resolve) => pendingCp.once('close', () => resolve()));
    pendingCp.handle('SetVariables', async ({ params }) => {
      const [data] = (params as { setVariableData: Array<{ attributeValue: string; component: { name: string }; variable: { name: string } }> }).setVariableData;
      expect({ component: data?.component.name, variable: data?.variable.name }).toEqual({ component: 'SecurityCtrlr', variable: 'BasicAuthPassword' });
      give(data?.attributeValue ?? '');
      return { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    });
    await pendingCp.connect();
    expect(((await pendingCp.call('BootNotification', bootNew)) as { status: string }).status).toBe('Pending');
    await pendingCp.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });

    const row = `#cm-pending tr[data-pending="${NEW_ID}"]`;
    await page.waitForFunction((sel) => /1\/1 Available/.test(document.querySelector(`${sel} .cm-connectors`)?.textContent ?? ''), row);
    const text = await page.textContent(row);
    for (const said of ['AcmeCharge', 'Wallbox 22', 'SN-0042', '3.1.4', '2.0.1', 'connected']) expect(text).toContain(said);
    await shot(page, 'commissioning-pending');
  });

  it('approves it from the page onto a circuit: the charger gets its password over OCPP, logs in with it, is Accepted and gets a profile', async () => {
    await ready;
    await page.click(`#cm-pending tr[data-pending="${NEW_ID}"] .cm-approve`);
    const form = `#cm-pending tr[data-place="${NEW_ID}"]`;
    await page.waitForSelector(form);
    // The circuits offered are the site's.
    expect(await page.$$eval(`${form} select[name=circuit] option`, (os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['main', 'row-a', 'row-b']);
    await page.selectOption(`${form} select[name=circuit]`, 'row-a');
    await page.selectOption(`${form} select[name=phases]`, '3');
    await page.selectOption(`${form} select[name=rotation]`, ROTATION.join(','));
    await page.fill(`${form} input[name=maxCurrentA]`, '16');
    await page.click(`${form} button[type=submit]`);

    const password = await givenPassword;
    expect(password).toHaveLength(20);
    await pendingClosed;
    await page.waitForFunction((id) => /approved/.test(document.getElementById('cm-status')?.textContent ?? '') && !document.querySelector(`#cm-pending tr[data-pending="${id}"]`), NEW_ID);

    // Back with its new password: Accepted, its capabilities read, then a profile from load management.
    const back = client(NEW_ID, '2.0.1', password);
    let got!: (p: ProfileParams) => void;
    const profile = new Promise<ProfileParams>((resolve) => (got = resolve));
    back.handle('GetVariables', async ({ params }) => ({
      getVariableResult: (params as { getVariableData: Array<{ component: { name: string }; variable: { name: string } }> }).getVariableData.map((d) => ({ attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable })),
    }));
    back.handle('SetChargingProfile', async ({ params }) => {
      got(params as ProfileParams);
      return { status: 'Accepted' };
    });
    await back.connect();
    approvedCp = back;
    expect(((await back.call('BootNotification', bootNew)) as { status: string }).status).toBe('Accepted');
    await back.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    const first = await profile;
    expect(first.evseId).toBe(1);
    const limit = first.chargingProfile.chargingSchedule[0]?.chargingSchedulePeriod[0]?.limit ?? -1;
    // Row a carries 20 A and the EVSE 16 A: the base share fits both.
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(first.chargingProfile.chargingSchedule[0]?.chargingRateUnit === 'A' ? 16 : 16 * 230 * 3);

    const placed = h.hub.energy.site.evses.find((e) => e.key === `${NEW_ID}/1`);
    expect(placed).toMatchObject({ circuitId: 'row-a', phases: 3, phaseRotation: ROTATION, maxCurrentA: 16 });

    // The page lists it as added by commissioning, connected, with its placement; the EVSE table shows it.
    const row = `#cm-commissioned tr[data-commissioned="${NEW_ID}"]`;
    await page.waitForFunction((sel) => /connected/.test(document.querySelector(sel)?.textContent ?? ''), row);
    expect(await page.textContent(`${row} .cm-evses`)).toBe('EVSE 1: row-a · 3p L2 L3 L1 · 16 A');
    await page.waitForSelector(`#evse-table tr[data-evse="${NEW_ID}/1"]`);
    await shot(page, 'commissioning-approved');
  });

  it('rejects a pending 1.6 charger from the page: disconnected and gone from the list', async () => {
    await ready;
    const cp = client('ODD-16', '1.6', 'whatever');
    cp.handle('TriggerMessage', async () => ({ status: 'Rejected' }));
    const closed = new Promise<void>((resolve) => cp.once('close', () => resolve()));
    await cp.connect();
    expect(((await cp.call('BootNotification', boot16)) as { status: string }).status).toBe('Pending');
    await page.waitForSelector('#cm-pending tr[data-pending="ODD-16"] .cm-reject');
    await page.click('#cm-pending tr[data-pending="ODD-16"] .cm-reject');
    await closed;
    await page.waitForFunction(() => !document.querySelector('#cm-pending tr[data-pending="ODD-16"]'));
    expect(await page.textContent('#cm-status')).toBe('ODD-16 rejected and disconnected.');
  });

  it('makes a commissioning sheet with its text and QR code, printable on its own', async () => {
    await ready;
    await page.fill('#cm-sheet-station', 'GARAGE-08');
    await page.click('#cm-sheet-form button[type=submit]');
    await page.waitForSelector('#cm-sheet', { state: 'visible' });
    const text = (await page.textContent('#cm-sheet-text')) ?? '';
    expect(text).toMatch(new RegExp(`^OCPP URL: ${h.hub.ocppUrl.replace(/[.]/g, '\\.')}\\nStation id: GARAGE-08\\nPassword: \\S{20}\\n$`));
    // The QR code is the API's SVG, shown as an image that the browser decoded.
    await page.waitForFunction(() => {
      const img = document.getElementById('cm-sheet-qr') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth > 0 && img.src.startsWith('data:image/svg+xml');
    });
    // The test hub listens on 127.0.0.1 only: the page says where the URL came from and that chargers cannot reach it.
    expect(await page.getAttribute('#cm-sheet-source', 'data-source')).toBe('listen-address');
    expect(await page.isVisible('#cm-sheet-warning')).toBe(true);
    await shot(page, 'commissioning-sheet');

    // Printed, only the sheet shows.
    await page.evaluate(() => document.body.classList.add('cm-print-sheet'));
    await page.emulateMedia({ media: 'print' });
    try {
      const seen = await page.evaluate(() => {
        const shown = (el: Element | null) => el !== null && el.checkVisibility();
        return {
          header: shown(document.querySelector('header')),
          evses: shown(document.getElementById('evse-table')),
          window: shown(document.getElementById('cm-window')),
          text: shown(document.getElementById('cm-sheet-text')),
          qr: shown(document.getElementById('cm-sheet-qr')),
          printButton: shown(document.getElementById('cm-sheet-print')),
          // One page: nothing else takes room above or below the sheet.
          pageHeightPx: document.documentElement.scrollHeight,
        };
      });
      expect(seen).toMatchObject({ header: false, evses: false, window: false, text: true, qr: true, printButton: false });
      expect(seen.pageHeightPx).toBeLessThanOrEqual(1000);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: 'test-results/commissioning-sheet-print.png' });
    } finally {
      await page.emulateMedia({ media: 'screen' });
      await page.evaluate(() => document.body.classList.remove('cm-print-sheet'));
    }
  });

  it('fits a 360 px phone without sideways scrolling', async () => {
    await ready;
    await page.setViewportSize({ width: 360, height: 780 });
    try {
      await page.waitForFunction(() => document.documentElement.clientWidth === 360);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(360);
      await page.locator('#commissioning').screenshot({ path: 'test-results/commissioning-phone.png' });
    } finally {
      await page.setViewportSize({ width: 1360, height: 1000 });
    }
  });

  it('removes a commissioned station from the page after a second click: disconnected, no longer under load management', async () => {
    await ready;
    const row = `#cm-commissioned tr[data-commissioned="${NEW_ID}"]`;
    const back = approvedCp;
    if (!back) throw new Error('the approval step connected the charger');
    const closed = new Promise<void>((resolve) => back.once('close', () => resolve()));
    await page.click(`${row} .cm-remove`);
    await page.waitForFunction((sel) => document.querySelector(`${sel} .cm-remove`)?.textContent === 'Confirm remove', row);
    expect(h.hub.energy.site.evses.map((e) => e.key)).toContain(`${NEW_ID}/1`);
    await page.click(`${row} .cm-remove`);
    await closed;
    await page.waitForFunction((sel) => !document.querySelector(sel), row);
    expect(h.hub.energy.site.evses.map((e) => e.key)).not.toContain(`${NEW_ID}/1`);
  });
});
