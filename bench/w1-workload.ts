/**
 * W1's message pattern for one site, as data: what every EVSE (an OCPP 1.6 charger with one
 * connector) and the CSMS send, and when, over a number of simulated days. Pure and seeded:
 * every scenario of the benchmark plays the same stream.
 *
 * Per EVSE: a heartbeat every 300 s (1.6 sends it whatever else is going on); 2 sessions a day,
 * each a 3 h transaction with a 9-value meter sample every 60 s (180 per session); status
 * changes Preparing -> Charging -> SuspendedEV -> Finishing -> Available around it; one
 * Authorize per session; one reboot a week (BootNotification, then status of connectors 0 and
 * 1). CSMS side: one SetChargingProfile per session and one GetCompositeSchedule a day.
 * WebSocket pings are not events here: each scenario's link sends its own.
 */

export const W1_EVSES = 20;
export const HEARTBEAT_INTERVAL_S = 300;
export const SAMPLE_INTERVAL_S = 60;
export const SESSION_S = 3 * 3600;
export const SESSIONS_PER_DAY = 2;
const DAY_MS = 86_400_000;

export type W1Event =
  /** The charger sends a CALL (OCPP 1.6 payload). */
  | { kind: 'call'; atMs: number; evse: number; action: string; payload: Record<string, unknown> }
  /** The CSMS sends a CALL to the EVSE; `session` ties a SetChargingProfile to its transaction. */
  | { kind: 'csms'; atMs: number; evse: number; action: 'SetChargingProfile' | 'GetCompositeSchedule'; session?: number; profileId?: number }
  /** The charger restarts: its WebSocket closes and opens again before the boot. */
  | { kind: 'reboot'; atMs: number; evse: number };

export function stationIdOf(evse: number): string {
  return `W1-EVSE-${String(evse + 1).padStart(2, '0')}`;
}

/** Deterministic [0, 1) numbers (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const PHASES = ['L1', 'L2', 'L3'] as const;

/** One periodic 1.6 sample: energy register, power, current and voltage per phase, SoC. */
function sampledValues(energyWh: number, powerW: number, currentA: number, voltageV: number[], soc: number): Record<string, string>[] {
  const periodic = { context: 'Sample.Periodic' };
  return [
    { ...periodic, value: String(Math.round(energyWh)), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { ...periodic, value: String(Math.round(powerW)), measurand: 'Power.Active.Import', unit: 'W' },
    ...PHASES.map((phase) => ({ ...periodic, value: currentA.toFixed(1), measurand: 'Current.Import', phase, unit: 'A' })),
    ...PHASES.map((phase, i) => ({ ...periodic, value: (voltageV[i] ?? 230).toFixed(1), measurand: 'Voltage', phase: `${phase}-N`, unit: 'V' })),
    { ...periodic, value: String(Math.round(soc)), measurand: 'SoC', location: 'EV', unit: 'Percent' },
  ];
}

export interface W1Stream {
  events: W1Event[];
  startMs: number;
  days: number;
}

/**
 * The events of `days` simulated days from `startMs` (a midnight UTC), sorted by time (ties keep
 * each EVSE's own order). Transaction ids of the 1.6 chargers are numbered per EVSE from 1; the
 * scenarios map them to whatever their CSMS answers.
 */
export function w1Stream(startMs: number, days: number, seed = 1): W1Stream {
  const rnd = seeded(seed);
  const events: W1Event[] = [];
  const endMs = startMs + days * DAY_MS;
  let profileId = 1;
  for (let evse = 0; evse < W1_EVSES; evse++) {
    const own: W1Event[] = [];
    const call = (atMs: number, action: string, payload: Record<string, unknown>) => own.push({ kind: 'call', atMs, evse, action, payload });
    const status = (atMs: number, connectorId: number, s: string) =>
      call(atMs, 'StatusNotification', { connectorId, errorCode: 'NoError', status: s, timestamp: iso(atMs) });
    // Heartbeats on a fixed 300 s grid, each EVSE at its own phase.
    for (let t = startMs + Math.floor(rnd() * HEARTBEAT_INTERVAL_S) * 1000; t < endMs; t += HEARTBEAT_INTERVAL_S * 1000) call(t, 'Heartbeat', {});
    let energyWh = 1_000_000 + Math.floor(rnd() * 9_000_000);
    let tx = 0;
    for (let day = 0; day < days; day++) {
      const dayMs = startMs + day * DAY_MS;
      // One reboot a week, spread over the days and the small hours.
      if (day % 7 === evse % 7) {
        const at = dayMs + (2 * 3600 + evse * 240 + Math.floor(rnd() * 120)) * 1000;
        own.push({ kind: 'reboot', atMs: at, evse });
        call(at + 30_000, 'BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22-1', chargePointSerialNumber: `SN${100_000 + evse}`, firmwareVersion: '1.8.4' });
        status(at + 32_000, 0, 'Available');
        status(at + 33_000, 1, 'Available');
      }
      const csmsAt = dayMs + (12 * 3600 + evse * 60 + Math.floor(rnd() * 60)) * 1000;
      own.push({ kind: 'csms', atMs: csmsAt, evse, action: 'GetCompositeSchedule' });
      for (let s = 0; s < SESSIONS_PER_DAY; s++) {
        // Morning arrivals 06:00-09:00, afternoon 14:30-17:30 (sessions never overlap the reboot or midnight).
        const plugMs = dayMs + ((s === 0 ? 6 * 3600 : 14.5 * 3600) + Math.floor(rnd() * 3 * 3600)) * 1000;
        tx++;
        const idTag = `04A1${(0x10_0000 + evse * 97 + tx * 13).toString(16).toUpperCase()}`;
        status(plugMs, 1, 'Preparing');
        call(plugMs + 15_000, 'Authorize', { idTag });
        const startMsTx = plugMs + 18_000;
        call(startMsTx, 'StartTransaction', { connectorId: 1, idTag, meterStart: Math.round(energyWh), timestamp: iso(startMsTx) });
        status(startMsTx + 2_000, 1, 'Charging');
        own.push({ kind: 'csms', atMs: startMsTx + 10_000, evse, action: 'SetChargingProfile', session: tx, profileId: profileId++ });
        const phases = rnd() < 0.7 ? 3 : 1;
        const currentA = 10 + Math.floor(rnd() * 7);
        const soc0 = 20 + Math.floor(rnd() * 40);
        for (let k = 1; k <= SESSION_S / SAMPLE_INTERVAL_S; k++) {
          const at = startMsTx + k * SAMPLE_INTERVAL_S * 1000;
          const a = k > 170 ? 0 : currentA + (rnd() - 0.5) * 0.4;
          const v = [0, 1, 2].map(() => 228 + rnd() * 6);
          const powerW = a * 230 * phases;
          energyWh += powerW / 60;
          if (k === 171) status(at - 5_000, 1, 'SuspendedEV');
          call(at, 'MeterValues', { connectorId: 1, transactionId: tx, meterValue: [{ timestamp: iso(at), sampledValue: sampledValues(energyWh, powerW, a, v, Math.min(100, soc0 + k * 0.25)) }] });
        }
        const stopMs = startMsTx + SESSION_S * 1000 + 5_000;
        call(stopMs, 'StopTransaction', { transactionId: tx, meterStop: Math.round(energyWh), timestamp: iso(stopMs), reason: 'EVDisconnected' });
        status(stopMs + 1_000, 1, 'Finishing');
        status(stopMs + 60_000, 1, 'Available');
      }
    }
    own.sort((a, b) => a.atMs - b.atMs);
    events.push(...own);
  }
  // Stable: equal times keep each EVSE's order (the per-EVSE lists are already sorted).
  events.sort((a, b) => a.atMs - b.atMs);
  return { events, startMs, days };
}

/** Counts in the stream by kind/action, for the notes. */
export function streamCounts(stream: W1Stream): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of stream.events) {
    const key = e.kind === 'reboot' ? 'reboot' : e.kind === 'csms' ? `CSMS ${e.action}` : e.action;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
