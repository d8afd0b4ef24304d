import type { LoopSiteContext } from '../sim/loop-site.js';
import { PHASES } from './loop-judge.js';

export interface LoopEnergy {
  marginA: number;
  leaseS: number;
  minIntervalS: number;
  hysteresisA: number;
  debounceMs: number;
}

/**
 * The head of a loop test's site config: the site's broker, no pings (fake clock), the energy
 * settings, and the grid meter reading each phase's current from the site's topic (stale after
 * 5 s). The caller adds `circuits:` and `stations:`.
 */
export function meteredSiteHead(ctx: LoopSiteContext, energy: LoopEnergy): string {
  return `
mqtt: { url: '${ctx.mqttUrl}' }
server: { pingIntervalS: 0 }
energy: { marginA: ${energy.marginA}, leaseS: ${energy.leaseS}, minIntervalS: ${energy.minIntervalS}, hysteresisA: ${energy.hysteresisA}, debounceMs: ${energy.debounceMs} }
meters:
  - id: grid
    role: grid
    staleAfterS: 5
    readings:
${PHASES.map((p) => `      - { quantity: currentA.${p}, topic: '${ctx.topic}', path: currentA.${p}, timePath: timeMs }`).join('\n')}`;
}
