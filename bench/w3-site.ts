/**
 * The W3 garage as a site config: main 400 A per phase with a grid meter over MQTT, four
 * sub-circuits of 125 A, 200 EVSEs (50 per sub-circuit): three in four 3-phase 16 A with the
 * three phase rotations in turn, one in four 1-phase 32 A on L1, L2 or L3 in turn; half OCPP 1.6,
 * half 2.0.1. A fixed share of the EVSEs has a car charging.
 */
import { join } from 'node:path';
import { siteConfigSchema, type SiteConfig } from '../src/config/schema.js';
import type { BenchVersion } from './bench-station.js';

export const W3_GRID_TOPIC = 'w3/grid';
export const W3_ID_TAG = 'W3TAG';
const SUB_CIRCUITS = ['sub-1', 'sub-2', 'sub-3', 'sub-4'] as const;
const ROTATIONS_3P = [['L1', 'L2', 'L3'], ['L2', 'L3', 'L1'], ['L3', 'L1', 'L2']] as const;
const PHASES = ['L1', 'L2', 'L3'] as const;

export interface W3Evse {
  stationId: string;
  version: BenchVersion;
  circuit: string;
  phases: 1 | 3;
  phaseRotation: string[];
  maxCurrentA: number;
  /** A car is plugged in and charging for the whole run. */
  charging: boolean;
}

export interface W3SiteOptions {
  evses: number;
  /** EVSEs charging per sub-circuit (the first ones of each). */
  chargingPerCircuit: number;
  dataDir: string;
  mqttUrl: string;
  /** energy.debounceMs of the hub: the event-driven loop's gathering window. */
  debounceMs: number;
  /** Least time between two increases on one EVSE, s (decreases are never delayed). */
  minIntervalS: number;
  /** Least increase worth a write, A (smaller ones wait for the lease renewal). */
  hysteresisA: number;
}

export function w3Evses(count: number, chargingPerCircuit: number): W3Evse[] {
  const perCircuit = Math.ceil(count / SUB_CIRCUITS.length);
  return Array.from({ length: count }, (_, i) => {
    const circuitIndex = Math.floor(i / perCircuit);
    const inCircuit = i % perCircuit;
    const onePhase = i % 4 === 3;
    return {
      stationId: `W3-${String(i + 1).padStart(3, '0')}`,
      version: i % 2 === 0 ? '1.6' : '2.0.1',
      circuit: SUB_CIRCUITS[circuitIndex] ?? 'sub-4',
      phases: onePhase ? 1 : 3,
      phaseRotation: onePhase ? [PHASES[Math.floor(i / 4) % 3] ?? 'L1'] : [...(ROTATIONS_3P[i % 3] ?? ROTATIONS_3P[0])],
      maxCurrentA: onePhase ? 32 : 16,
      charging: inCircuit < chargingPerCircuit,
    };
  });
}

export function w3SiteConfig(evses: readonly W3Evse[], opts: W3SiteOptions): SiteConfig {
  return siteConfigSchema.parse({
    site: { name: 'W3 garage', voltageV: 230 },
    server: { host: '127.0.0.1', port: 0, pingIntervalS: 0 },
    api: { host: '127.0.0.1', port: 0 },
    data: { dir: join(opts.dataDir, 'data') },
    mqtt: { url: opts.mqttUrl },
    // A lease far longer than the run, so no renewal lands inside a measured step.
    // settleS as short as minIntervalS: the EVs follow an offer within 0.5 s and the chargers report every change, so a 1 s settle wait suffices.
    // A small hysteresis: the ramp reserve stages increases in steps below 1 A, which would otherwise wait for the lease renewal.
    energy: { marginA: 1, leaseS: 3600, minIntervalS: opts.minIntervalS, settleS: opts.minIntervalS, hysteresisA: opts.hysteresisA, debounceMs: opts.debounceMs },
    meters: [
      {
        id: 'grid',
        role: 'grid',
        staleAfterS: 5,
        readings: PHASES.map((p) => ({ quantity: `currentA.${p}`, topic: W3_GRID_TOPIC, path: `currentA.${p}` })),
      },
    ],
    circuits: [
      { id: 'main', maxCurrentA: 400, meter: 'grid', worstCaseNonEvA: 150 },
      ...SUB_CIRCUITS.map((id) => ({ id, parent: 'main', maxCurrentA: 125, worstCaseNonEvA: 0 })),
    ],
    stations: evses.map((e) => ({
      id: e.stationId,
      securityProfile: 0,
      evses: [{ id: 1, circuit: e.circuit, phases: e.phases, phaseRotation: e.phaseRotation, maxCurrentA: e.maxCurrentA }],
    })),
    authorization: { list: [{ idToken: W3_ID_TAG }] },
  });
}
