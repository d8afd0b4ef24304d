import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';
import { parse, stringify } from 'yaml';
import type { z } from 'zod';
import type { siteConfigSchema } from '../../src/config/schema.js';

type SiteInput = z.input<typeof siteConfigSchema>;
type MeterInput = NonNullable<SiteInput['meters']>[number];
type StationInput = NonNullable<SiteInput['stations']>[number];

const DEMO_YAML = new URL('../../site-config/demo.yaml', import.meta.url);

/** The shipped demo site (site-config/demo.yaml) as written, for tests to derive their sites from. */
export function demoSite(): SiteInput {
  return parse(readFileSync(fileURLToPath(DEMO_YAML), 'utf8')) as SiteInput;
}

/** The demo's meter with this id, its staleness set to `staleAfterS` (tests run on a loaded machine). */
export function demoMeter(demo: SiteInput, id: string, staleAfterS: number): MeterInput {
  const meter = demo.meters?.find((m) => m.id === id);
  if (!meter) throw new Error(`site-config/demo.yaml has no meter ${id}`);
  return { ...meter, staleAfterS };
}

/**
 * A demo-like site derived from the demo: a 40 A grid connection with the demo's grid meter and
 * PV, two rows of chargers, the demo's first three simulated chargers (1.6J and 2.0.1) with their
 * passwords, a simulated site meter publishing every second on the hub's embedded broker, and an
 * API token (the page reads the live stream without it, id tokens masked, and asks for it on the
 * first write). The demo's server, data, MQTT and upstream settings are left to the test harness.
 * `extraStations` come first in the station list.
 */
export function e2eSiteYaml(extraStations: StationInput[] = []): string {
  const demo = demoSite();
  const [cp01, cp02, cp03] = demo.stations ?? [];
  if (!cp01 || !cp02 || !cp03) throw new Error('site-config/demo.yaml has fewer than three stations');
  const sim = demo.simulation;
  const site: SiteInput = {
    site: { ...demo.site, name: 'E2E garage' },
    api: { token: E2E_TOKEN, streamNeedsToken: false },
    circuits: [
      { id: 'main', maxCurrentA: 40, meter: 'grid', worstCaseNonEvA: 16 },
      { id: 'row-a', parent: 'main', maxCurrentA: 32 },
      { id: 'row-b', parent: 'main', maxCurrentA: 25 },
    ],
    meters: [demoMeter(demo, 'grid', 30), demoMeter(demo, 'pv', 30)],
    stations: [...extraStations, cp01, cp02, { ...cp03, evses: (cp03.evses ?? []).map((e) => ({ ...e, circuit: 'row-b' })) }],
    authorization: { list: (demo.authorization?.list ?? []).slice(0, 2) },
    simulation: {
      enabled: true,
      seed: sim?.seed,
      idTags: (sim?.idTags ?? []).slice(0, 2),
      meterIntervalS: 2,
      siteMeter: { buildingBaseW: 6000, pvPeakW: 0, intervalS: 1 },
      chargers: (sim?.chargers ?? []).slice(0, 3),
    },
  };
  return stringify(site);
}

/** The bearer token of the e2e site. */
export const E2E_TOKEN = 'e2e-token-0123456789';

/** The e2e site's YAML (see e2eSiteYaml). */
export const E2E_SITE_YAML = e2eSiteYaml();

/**
 * Headless Chromium from the npm package `@sparticuz/chromium` (it ships the binary, so no system
 * package is needed). CHROMIUM_PATH, when set, names another binary to use instead.
 */
export async function launchChromium(): Promise<Browser> {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined && override !== '') {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH names ${override}, which does not exist`);
    return chromium.launch({
      executablePath: override,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }
  const executablePath = await sparticuz.executablePath();
  return chromium.launch({ executablePath, args: sparticuz.args, headless: true });
}
