import { describe, expect, it } from 'vitest';
import { useLoopSites, type LoopSiteContext } from '../sim/loop-site.js';
import { PHASES, writesIn } from './loop-judge.js';

/**
 * Solar surplus end to end with a charger as real ones are: built on ocpp-rpc (strict mode,
 * official schemas), it follows each new limit 12 s late and reports its current every 15 s. A
 * real broker (embedded aedes, or Mosquitto at MQTT_URL) carries a grid meter that publishes
 * every second the house, minus the PV, plus what the EV really draws at that instant: it sees a
 * change before the charger reports it. Everything runs on one fake clock, from event to event.
 *
 * With the sun steady, the hub must settle on the surplus and stop writing profiles. Before the
 * hold after a change (energy.settleS 0 here: the strategy's old behaviour) it added the charger's
 * last report to the fresh grid reading, misjudged the surplus after every change it made, and
 * wrote profiles back and forth for as long as the sun shone.
 */
const newSite = useLoopSites();
const VOLTAGE_V = 230;
const PV_W = 6_000;
const HOUSE_W = 500;
const S = 1000;

function siteYaml(ctx: LoopSiteContext, settleS: number): string {
  return `
mqtt: { url: '${ctx.mqttUrl}' }
server: { pingIntervalS: 0 }
energy: { marginA: 1, leaseS: 600, minIntervalS: 10, hysteresisA: 0.5, debounceMs: 100, settleS: ${settleS} }
meters:
  - id: grid
    role: grid
    staleAfterS: 5
    readings:
      - { quantity: powerW, topic: '${ctx.topic}', path: powerW, timePath: timeMs }
${PHASES.map((p) => `      - { quantity: currentA.${p}, topic: '${ctx.topic}', path: currentA.${p}, timePath: timeMs }`).join('\n')}
circuits:
  - { id: main, maxCurrentA: 40, meter: grid, worstCaseNonEvA: 5 }
stations:
  - { id: SUN1, securityProfile: 0, evses: [{ id: 1, circuit: main, phases: 1, phaseRotation: [L1], maxCurrentA: 32 }] }
authorization:
  list: [{ idToken: CAR }]
strategies:
  - { type: solar-surplus, defaultMode: pv, enableDelayS: 0 }
`;
}

/** Profile writes the charger accepted in the last ten of twenty simulated minutes, and its last offer. */
async function sunnyRun(settleS: number): Promise<{ steadyWrites: number; lastOfferA: number }> {
  const site = await newSite({ yaml: (ctx) => siteYaml(ctx, settleS) });
  const t0 = site.clock.nowMs();
  const [charger] = await site.addFollowChargers(
    [{ id: 'SUN1', version: '2.0.1', phases: 1, rotation: ['L1'], maxCurrentA: 32, followDelayS: 12, reportPeriodS: 15 }],
    'CAR',
  );
  if (!charger) throw new Error('no charger');
  const evW = (tMs: number) => charger.drawAt(tMs) * VOLTAGE_V;
  await site.simulate({
    untilMs: t0 + 1_200 * S,
    meterPeriodMs: 1000,
    // Currents as the fuse sees them (the house and the EV; the PV's export is left out: careful).
    gridA: (tMs) => ({ L1: HOUSE_W / VOLTAGE_V + charger.drawAt(tMs), L2: 0, L3: 0 }),
    gridExtra: (tMs) => ({ powerW: HOUSE_W + evW(tMs) - PV_W }),
    events: [{ atMs: t0 + 10 * S, run: () => charger.plugIn(32) }],
  });
  const steadyWrites = writesIn([charger], t0 + 600 * S, t0 + 1_200 * S)[charger.id] ?? 0;
  return { steadyWrites, lastOfferA: charger.offeredAt(site.clock.nowMs()) };
}

describe('solar surplus with a charger that follows 12 s late and reports every 15 s', () => {
  it('settles on the surplus and stops writing profiles while the sun is steady', async () => {
    const run = await sunnyRun(30);
    // (6000 - 500) W / 230 V = 23.9 A (floored to 0.1 A, then the hub's own rounding).
    expect(run.lastOfferA).toBeGreaterThan(22);
    expect(run.lastOfferA).toBeLessThanOrEqual(23.92);
    // At most one write in the last ten minutes: a renewal of the 600 s lease may fall in them
    // (measured: 1, of 6 in the whole run; without the hold 84 of 169).
    expect(run.steadyWrites).toBeLessThanOrEqual(1);
  }, 300_000);

  it('kept writing back and forth without the hold after a change (settleS 0): the defect', async () => {
    const run = await sunnyRun(0);
    expect(run.steadyWrites).toBeGreaterThan(5);
  }, 300_000);
});
