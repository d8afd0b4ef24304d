import type { DashboardSnapshot } from '../api/dashboard/snapshot.js';
import type { PowerReading } from './power-sampler.js';

/**
 * The figures the dashboard shows, as a power reading for the history: the site power as in the
 * snapshot (so stored history and the live chart agree), and each EVSE's drawn current times the
 * voltage (as the snapshot's EV total counts it). Pure.
 */
export function powerReadingOf(snapshot: { power: DashboardSnapshot['power']; evses: ReadonlyArray<{ key: string; drawnA?: readonly number[] }> }, voltageV: number): PowerReading {
  const p = snapshot.power;
  return {
    ...(p.gridW !== undefined ? { gridW: p.gridW } : {}),
    ...(p.pvW !== undefined ? { pvW: p.pvW } : {}),
    evW: p.evW,
    ...(p.limitW !== undefined ? { limitW: p.limitW } : {}),
    evses: snapshot.evses.map((e) => ({
      evseKey: e.key,
      ...(e.drawnA ? { powerW: Math.round(e.drawnA.reduce((a, b) => a + b, 0) * voltageV) } : {}),
    })),
  };
}
