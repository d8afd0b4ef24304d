import { existsSync } from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/** The bearer token of the e2e site. */
export const E2E_TOKEN = 'e2e-token-0123456789';

/**
 * A demo-like site: a 40 A grid connection with a grid meter and PV, two rows of chargers, three
 * simulated chargers (1.6J and 2.0.1) with their passwords, a simulated site meter publishing
 * every second on the hub's embedded broker, and an API token (the page reads the live stream
 * without it, id tokens masked, and asks for it on the first write).
 */
export const E2E_SITE_YAML = `
site: { name: E2E garage, voltageV: 230 }
api: { token: ${E2E_TOKEN}, streamNeedsToken: false }
circuits:
  - { id: main, maxCurrentA: 40, meter: grid, worstCaseNonEvA: 16 }
  - { id: row-a, parent: main, maxCurrentA: 32 }
  - { id: row-b, parent: main, maxCurrentA: 25 }
meters:
  - id: grid
    role: grid
    staleAfterS: 30
    readings:
      - { quantity: powerW, topic: switchyard/sim/grid, path: powerW }
      - { quantity: currentA.L1, topic: switchyard/sim/grid, path: currentA.L1 }
      - { quantity: currentA.L2, topic: switchyard/sim/grid, path: currentA.L2 }
      - { quantity: currentA.L3, topic: switchyard/sim/grid, path: currentA.L3 }
  - id: pv
    role: pv
    staleAfterS: 30
    readings:
      - { quantity: powerW, topic: switchyard/sim/pv, path: powerW }
stations:
  - id: CP01
    passwordHash: scrypt$16384$8$1$E17wevOs1EV4YtMIucCl2w==$Kgz/wN8eEExwpcGBjMNmj1+fqQtnIZ6nt7hhg3pPR3k=
    evses: [{ id: 1, circuit: row-a, phases: 3, maxCurrentA: 16 }]
  - id: CP02
    passwordHash: scrypt$16384$8$1$GJtprypYipD2S6GN9N7vKA==$M5LKQLvOoIA9U0mZX7JdfTZh0P+oBJDPEJoIScVii6U=
    evses: [{ id: 1, circuit: row-a, phases: 3, maxCurrentA: 16 }]
  - id: CP03
    passwordHash: scrypt$16384$8$1$/BcbYVqARGSS6xSih0lTog==$RTmRPyeWTFzHeyJcEJUiNAsepzkt7CS/rU1SFOFZijI=
    evses: [{ id: 1, circuit: row-b, phases: 1, phaseRotation: [L2], maxCurrentA: 32 }]
authorization:
  list: [{ idToken: DEMO-TAG-01 }, { idToken: DEMO-TAG-02 }]
simulation:
  enabled: true
  seed: 7
  idTags: [DEMO-TAG-01, DEMO-TAG-02]
  meterIntervalS: 2
  siteMeter: { buildingBaseW: 6000, pvPeakW: 0, intervalS: 1 }
  chargers:
    - { station: CP01, version: '1.6', password: demo-secret-01 }
    - { station: CP02, version: '2.0.1', password: demo-secret-02 }
    - { station: CP03, version: '1.6', password: demo-secret-03 }
`;

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
