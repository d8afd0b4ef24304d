import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { RPCClient } from 'ocpp-rpc';
import type { Browser, Page } from 'playwright-core';
import { boot16, boot2x, ocppClient, startTestHub, type Harness } from '../helpers/hub-harness.js';
import { stringify } from 'yaml';
import { demoMeter, demoSite, launchChromium } from './demo-site.js';

/**
 * The per-EVSE controls on the dashboard in a real browser against a running hub: solar mode,
 * max current, priority and start/stop, at desktop and at 360 px phone width. Every change is
 * checked through the API; start and stop through the transaction the charger then reports.
 * The chargers are ocpp-rpc clients in strict mode (1.6J and 2.0.1) that carry out remote
 * start/stop as a charger does; the grid meter is the hub's simulated site meter. Real clock:
 * the test waits for what the page and the API show, never for a fixed time.
 */
const TOKEN = 'controls-e2e-token-0123456789';
/** The demo site cut down to one 40 A circuit with the demo's grid meter and two chargers of the test's own. */
function controlsSiteYaml(): string {
  const demo = demoSite();
  return stringify({
    site: { ...demo.site, name: 'Controls site' },
    api: { token: TOKEN, streamNeedsToken: false },
    energy: { debounceMs: 100 },
    circuits: [{ id: 'main', maxCurrentA: 40, meter: 'grid', worstCaseNonEvA: 10 }],
    meters: [demoMeter(demo, 'grid', 30)],
    stations: [
      { id: 'CTL16', securityProfile: 0, evses: [{ id: 1, circuit: 'main', phases: 3, minCurrentA: 6, maxCurrentA: 16 }] },
      { id: 'CTL201', securityProfile: 0, evses: [{ id: 1, circuit: 'main', phases: 1, minCurrentA: 8, maxCurrentA: 32 }] },
    ],
    strategies: [{ type: 'load-balancing' }, { type: 'solar-surplus', defaultMode: 'pv' }],
    rules: {
      timezone: 'UTC',
      list: [{ id: 'night-tariff', cron: '0 0 * * *', durationMin: 1440, modes: { 'CTL201/1': 'ExternalLimits' } }],
    },
    authorization: { list: [{ idToken: 'E2E-TAG-16' }, { idToken: 'E2E-TAG-201' }] },
    simulation: { enabled: true, siteMeter: { buildingBaseW: 2000, pvPeakW: 0, intervalS: 1 } },
  });
}
const SITE = controlsSiteYaml();

interface EvseBody {
  priority: number;
  mode: string;
  modeSource: string;
  settings: { priority: { value: number; source: string }; solarMode?: { value: string; source: string }; maxCurrentA?: { value: number; source: string } };
  limits: Array<{ maxCurrentA: number; source: string }>;
  transaction?: { transactionId: string; status: string };
}

let h: Harness;
let browser: Browser;
let page: Page;
let cp16: RPCClient;
let cp201: RPCClient;
let ready: Promise<void>;
/** What the chargers were asked to do, for the assertions. */
const asked: string[] = [];

const iso = (): string => new Date().toISOString();

/** A 1.6 charger that carries out RemoteStart/StopTransaction: answers Accepted, then reports the transaction. */
async function charger16(url: string): Promise<RPCClient> {
  const cp = ocppClient(url, 'CTL16', { version: '1.6' });
  let txId: number | undefined;
  cp.handle(async ({ method = '', params = {} }): Promise<Record<string, unknown>> => {
    asked.push(`CTL16 ${method}`);
    if (method === 'GetConfiguration') return { configurationKey: [], unknownKey: Array.isArray(params.key) ? params.key : [] };
    if (method === 'RemoteStartTransaction') {
      setImmediate(() => {
        void (async () => {
          await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: iso() });
          const res = (await cp.call('StartTransaction', { connectorId: 1, idTag: params.idTag, meterStart: 1000, timestamp: iso() })) as { transactionId: number };
          txId = res.transactionId;
          await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: iso() });
        })();
      });
      return { status: 'Accepted' };
    }
    if (method === 'RemoteStopTransaction') {
      if (params.transactionId !== txId) return { status: 'Rejected' };
      setImmediate(() => {
        void (async () => {
          await cp.call('StopTransaction', { transactionId: txId, meterStop: 2500, timestamp: iso(), reason: 'Remote' });
          await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: iso() });
        })();
      });
      return { status: 'Accepted' };
    }
    return { status: 'Accepted' };
  });
  await cp.connect();
  await cp.call('BootNotification', boot16);
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: iso() });
  return cp;
}

/** A 2.0.1 charger that carries out RequestStart/StopTransaction; it rejects a start for BLOCKED. */
async function charger201(url: string): Promise<RPCClient> {
  const cp = ocppClient(url, 'CTL201', { version: '2.0.1' });
  let seqNo = 0;
  const txId = 'TX-CTL201-1';
  cp.handle(async ({ method = '', params = {} }): Promise<Record<string, unknown>> => {
    asked.push(`CTL201 ${method}`);
    if (method === 'GetVariables') {
      const data = Array.isArray(params.getVariableData) ? (params.getVariableData as Array<{ component: unknown; variable: unknown }>) : [];
      return { getVariableResult: data.map((d) => ({ attributeStatus: 'UnknownVariable', component: d.component, variable: d.variable })) };
    }
    if (method === 'RequestStartTransaction') {
      const idToken = params.idToken as { idToken: string; type: string };
      if (idToken.idToken === 'BLOCKED') return { status: 'Rejected' };
      setImmediate(() => {
        void cp.call('TransactionEvent', {
          eventType: 'Started', timestamp: iso(), triggerReason: 'RemoteStart', seqNo: seqNo++,
          transactionInfo: { transactionId: txId, chargingState: 'Charging', remoteStartId: params.remoteStartId },
          evse: { id: 1, connectorId: 1 }, idToken,
        });
      });
      return { status: 'Accepted' };
    }
    if (method === 'RequestStopTransaction') {
      if (params.transactionId !== txId) return { status: 'Rejected' };
      setImmediate(() => {
        void cp.call('TransactionEvent', {
          eventType: 'Ended', timestamp: iso(), triggerReason: 'RemoteStop', seqNo: seqNo++,
          transactionInfo: { transactionId: txId, chargingState: 'Idle', stoppedReason: 'Remote' },
          evse: { id: 1, connectorId: 1 },
        });
      });
      return { status: 'Accepted' };
    }
    return { status: 'Accepted' };
  });
  await cp.connect();
  await cp.call('BootNotification', boot2x);
  await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
  return cp;
}

beforeAll(async () => {
  ready = (async () => {
    browser = await launchChromium();
    h = await startTestHub(SITE);
    cp16 = await charger16(h.hub.ocppUrl);
    cp201 = await charger201(h.hub.ocppUrl);
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    // Generous: only a hung test ends on it (the machine may be loaded); each wait ends on its condition.
    page.setDefaultTimeout(60_000);
    await page.goto(`${h.hub.apiUrl}/`);
  })();
  await ready.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cp16?.close({ force: true });
  await cp201?.close({ force: true });
  await h?.stop();
});

async function evse(key: string): Promise<EvseBody> {
  const res = await fetch(`${h.hub.apiUrl}/api/evses/${key}`);
  expect(res.status).toBe(200);
  return (await res.json()) as EvseBody;
}

/** Polls the API until the predicate holds (the hub applies changes and reports transactions asynchronously). */
async function until(key: string, ok: (e: EvseBody) => boolean): Promise<EvseBody> {
  for (;;) {
    const e = await evse(key);
    if (ok(e)) return e;
    await page.waitForTimeout(100); // poll interval only; the test ends on the condition, not on time
  }
}

const row = (key: string): string => `tr[data-controls-for="${key}"]`;

async function openControls(key: string): Promise<void> {
  await page.waitForSelector(`${row(key)} summary`);
  const open = await page.$eval(`${row(key)} details`, (d) => (d as HTMLDetailsElement).open);
  if (!open) await page.click(`${row(key)} summary`);
  await page.waitForSelector(`${row(key)} .c-body`, { state: 'visible' });
}

async function status(key: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    ([sel, src]) => new RegExp(src).test(document.querySelector(sel)?.textContent ?? ''),
    [`${row(key)} .c-status`, pattern.source] as const,
  );
  return (await page.textContent(`${row(key)} .c-status`)) ?? '';
}

function shot(name: string): Promise<Buffer> {
  mkdirSync('test-results', { recursive: true });
  return page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}

describe('EVSE controls on the dashboard (desktop)', () => {
  it('shows the mode with who set it: the config, and the night-tariff rule', async () => {
    await ready;
    await page.waitForFunction(() => /rule night-tariff/.test(document.querySelector('tr[data-evse="CTL201/1"] .mode')?.textContent ?? ''));
    expect(await page.textContent('tr[data-evse="CTL16/1"] .mode')).toBe('LocalLoadBalancingsite config');
    await openControls('CTL201/1');
    await page.waitForFunction(() => /not in force now: ExternalLimits \(rule night-tariff\)/.test(document.querySelector('tr[data-controls-for="CTL201/1"] [data-for=solarMode]')?.textContent ?? ''));
  });

  it('sets the solar mode, asking once for the API token', async () => {
    await ready;
    await openControls('CTL16/1');
    expect(await page.inputValue(`${row('CTL16/1')} select[name=solarMode]`)).toBe('pv');
    await page.selectOption(`${row('CTL16/1')} select[name=solarMode]`, 'now');
    expect(await status('CTL16/1', /API token/)).toMatch(/needs its API token/);
    await page.fill(`${row('CTL16/1')} input[name=token]`, TOKEN);
    await page.press(`${row('CTL16/1')} input[name=token]`, 'Enter');
    expect(await status('CTL16/1', /^Solar mode set/)).toBe('Solar mode set to Now (full power).');
    const e = await evse('CTL16/1');
    expect(e.settings.solarMode).toEqual(expect.objectContaining({ value: 'now', source: 'api' }));
    await page.waitForFunction(() => /Solar: Now \(full power\) \(set here \/ API\)/.test(document.querySelector('tr[data-controls-for="CTL16/1"] .c-summary')?.textContent ?? ''));
    expect(await page.isVisible(`${row('CTL16/1')} .c-token`)).toBe(false);
  });

  it('sets a max current within the EVSE range and refuses one outside it in plain words', async () => {
    await ready;
    await openControls('CTL16/1');
    const input = `${row('CTL16/1')} input[name=maxCurrentA]`;
    await page.fill(input, '40');
    await page.click(`${row('CTL16/1')} button[data-action=maxCurrentA]`);
    expect(await status('CTL16/1', /between/)).toBe('The max current must be between 6 and 16 A for this charging point.');
    expect((await evse('CTL16/1')).settings.maxCurrentA).toBeUndefined();

    await page.fill(input, '10');
    await page.click(`${row('CTL16/1')} button[data-action=maxCurrentA]`);
    expect(await status('CTL16/1', /^Max current set/)).toBe('Max current set to 10 A.');
    const e = await evse('CTL16/1');
    expect(e.settings.maxCurrentA).toEqual(expect.objectContaining({ value: 10, source: 'api' }));
  });

  it('sets the priority', async () => {
    await ready;
    await openControls('CTL16/1');
    await page.fill(`${row('CTL16/1')} input[name=priority]`, '3');
    await page.click(`${row('CTL16/1')} button[data-action=priority]`);
    expect(await status('CTL16/1', /^Priority set/)).toBe('Priority set to 3.');
    const e = await evse('CTL16/1');
    expect(e.priority).toBe(3);
    expect(e.settings.priority).toEqual(expect.objectContaining({ value: 3, source: 'api' }));
  });

  it('starts and stops a session on a 1.6 charger', async () => {
    await ready;
    await openControls('CTL16/1');
    await page.fill(`${row('CTL16/1')} input[name=idToken]`, 'E2E-TAG-16');
    await page.click(`${row('CTL16/1')} button[data-action=start]`);
    expect(await status('CTL16/1', /^Start sent/)).toMatch(/charger accepted it/);
    const started = await until('CTL16/1', (x) => x.transaction?.status === 'Active');
    expect(asked).toContain('CTL16 RemoteStartTransaction');
    // While the car charges, the operator's 10 A caps what it is offered (solar mode now asks for 16 A).
    const capped = await until('CTL16/1', (x) => x.limits.some((l) => l.source === 'override:api'));
    expect(capped.limits).toContainEqual(expect.objectContaining({ maxCurrentA: 10, source: 'override:api' }));
    await page.waitForSelector(`${row('CTL16/1')} button[data-action=stop]`, { state: 'visible' });
    await shot('controls-desktop');

    await page.click(`${row('CTL16/1')} button[data-action=stop]`);
    expect(await status('CTL16/1', /^Stop sent/)).toMatch(/charger accepted it/);
    await until('CTL16/1', (x) => x.transaction === undefined);
    expect(asked).toContain('CTL16 RemoteStopTransaction');
    const tx = (await (await fetch(`${h.hub.apiUrl}/api/transactions?status=Ended`)).json()) as { transactions: Array<{ transactionId: string; stationId: string }> };
    expect(tx.transactions.map((t) => `${t.stationId} ${t.transactionId}`)).toContain(`CTL16 ${started.transaction?.transactionId ?? ''}`);
    await page.waitForSelector(`${row('CTL16/1')} button[data-action=start]`, { state: 'visible' });
  });

  it('says in plain words when the charger refuses to start', async () => {
    await ready;
    await openControls('CTL201/1');
    await page.fill(`${row('CTL201/1')} input[name=idToken]`, 'BLOCKED');
    await page.click(`${row('CTL201/1')} button[data-action=start]`);
    expect(await status('CTL201/1', /said no/)).toBe('The charger said no (it rejected the request). Is a car plugged in?');
    expect((await evse('CTL201/1')).transaction).toBeUndefined();
  });
});

describe('EVSE controls on a 360 px phone', () => {
  it('keeps status, offered, drawn and why, and the controls fit without sideways scrolling', async () => {
    await ready;
    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForFunction(() => document.documentElement.clientWidth === 360);
    await openControls('CTL201/1');
    const layout = await page.evaluate(() => {
      const wrap = document.querySelector('#evse-table')?.parentElement;
      const shown = (sel: string) => {
        const el = document.querySelector(sel);
        return el instanceof HTMLElement && el.offsetWidth > 0;
      };
      const controls = document.querySelector('tr[data-controls-for="CTL201/1"] .c-body');
      return {
        pageWidth: document.documentElement.scrollWidth,
        tableFits: wrap ? wrap.scrollWidth <= wrap.clientWidth : false,
        kept: ['.status', '.offered', '.drawn', '.why'].map((c) => shown(`tr[data-evse="CTL201/1"] ${c}`)),
        controlsShown: controls instanceof HTMLElement && controls.offsetWidth > 0 && controls.getBoundingClientRect().right <= 360,
      };
    });
    expect(layout).toEqual({ pageWidth: 360, tableFits: true, kept: [true, true, true, true], controlsShown: true });
  });

  it('changes the solar mode and the max current, and starts and stops a session on a 2.0.1 charger', async () => {
    await ready;
    await openControls('CTL201/1');
    await page.selectOption(`${row('CTL201/1')} select[name=solarMode]`, 'min+pv');
    await status('CTL201/1', /^Solar mode set/);
    await page.fill(`${row('CTL201/1')} input[name=maxCurrentA]`, '16');
    await page.click(`${row('CTL201/1')} button[data-action=maxCurrentA]`);
    await status('CTL201/1', /^Max current set/);
    const set = await evse('CTL201/1');
    expect(set.settings.solarMode).toEqual(expect.objectContaining({ value: 'min+pv', source: 'api' }));
    expect(set.settings.maxCurrentA).toEqual(expect.objectContaining({ value: 16, source: 'api' }));

    await page.fill(`${row('CTL201/1')} input[name=idToken]`, 'E2E-TAG-201');
    await page.click(`${row('CTL201/1')} button[data-action=start]`);
    await status('CTL201/1', /^Start sent/);
    await until('CTL201/1', (x) => x.transaction?.transactionId === 'TX-CTL201-1' && x.transaction.status === 'Active');
    await page.waitForSelector(`${row('CTL201/1')} button[data-action=stop]`, { state: 'visible' });
    await shot('controls-phone');

    await page.click(`${row('CTL201/1')} button[data-action=stop]`);
    await status('CTL201/1', /^Stop sent/);
    await until('CTL201/1', (x) => x.transaction === undefined);
    expect(asked).toEqual(expect.arrayContaining(['CTL201 RequestStartTransaction', 'CTL201 RequestStopTransaction']));

    // Back to the site config's max: the reset button.
    await page.click(`${row('CTL201/1')} button[data-action=maxCurrentReset]`);
    await status('CTL201/1', /back to the charging point/);
    expect((await evse('CTL201/1')).settings.maxCurrentA).toBeUndefined();
  });
});
