/**
 * W3 "control loop": 200 EVSEs on the W3 circuit tree (bench/w3-site.ts), a grid meter over
 * real MQTT (aedes, in process) publishing every second, and steps in building load. Measured:
 * the time from the step's meter message arriving at the broker to the last needed
 * SetChargingProfile (the decreases) arriving at the stations, and the profile writes per step.
 *
 * Three set-ups, each a fresh hub and fleet:
 * - event-driven: the hub as shipped (decisions on meter readings, debounced by energy.debounceMs);
 * - fixed 1 s: triggers switched off (debounceMs huge) and controller.decideNow() on a 1 s timer;
 *   steps come at random instants, so the wait for the next tick is measured, not assumed;
 * - fixed-interval processing: triggers off; right after the hub has the step's reading the
 *   benchmark calls decideNow() itself and measures decision + dispatch + delivery. The latency
 *   of a fixed T-second loop is then (wait for the next tick on a T-second grid, from the real
 *   arrival time) + that processing time. This gives the 30 s baseline without waiting 30 s per
 *   step, and a 1 s figure that cross-checks the method against the measured 1 s loop.
 * Between two measured (upward) steps the load steps back down (increases, rate-limited) and
 * the benchmark waits until those are written.
 */
import { wireLimitA } from '../src/control/profile-payload.js';
import { createPrng, type Prng } from '../src/sim/prng.js';
import type { Benchmark, BenchResult, BenchRow } from './bench-types.js';
import { percentile } from './stats.js';
import { W3Rig } from './w3-rig.js';
import type { ProfileReceipt } from './w3-station.js';

const SETTINGS = {
  evses: Number(process.env['BENCH_W3_EVSES'] ?? 200),
  /** Measured upward steps per set-up; BENCH_W3_STEPS overrides. */
  steps: Number(process.env['BENCH_W3_STEPS'] ?? 30),
  chargingPerCircuit: 12,
  buildingLowA: 80,
  buildingHighA: 140,
  meterIntervalMs: 1000,
  eventDebounceMs: 200,
  /** Increases are rate-limited by this; decreases (what is measured) never are. */
  minIntervalS: 1,
  /** Least increase worth a write (the ramp reserve stages increases in steps below 1 A). */
  hysteresisA: 0.1,
  /** After a downward step, every target must stay written this long before the next step. */
  quietMs: 2000,
  /** The EVs follow a new offer this long after it arrived, ms. */
  followMs: 500,
  /** The chargers' periodic current report (they also report every change of draw), ms. */
  reportIntervalMs: 10_000,
  /** debounceMs that switches the event trigger off (longer than any run). */
  noTriggerDebounceMs: 2_000_000_000,
  seed: 3,
  settleTimeoutMs: 20_000,
  connectConcurrency: 25,
  pollMs: 5,
};

interface StepSample {
  /** Broker arrival of the step's meter message -> last needed SetChargingProfile at a station, ms. */
  latencyMs: number;
  /** Broker arrival -> every cut station has its first decrease, ms. */
  firstCutMs: number;
  /** SetChargingProfile frames the step caused. */
  writes: number;
  /** Of them, those that lowered a charger's offer. */
  decreases: number;
  /** Charging EVSEs whose accepted dynamic limit changed. */
  changed: number;
  /** decideNow() -> last SetChargingProfile (processing set-up only), ms. */
  processingMs?: number;
  /** Broker arrival -> the hub has the reading (processing set-up only), ms. */
  brokerToHubMs?: number;
  /** Phase of the arrival on the fixed-interval grids (processing set-up only): wait to the next tick, ms. */
  wait1sMs?: number;
  wait30sMs?: number;
  decisionMs: number;
}

interface DownSample {
  /** Broker arrival of the step's meter message -> last increase at a station, ms (NaN: none). */
  latencyMs: number;
  writes: number;
  increases: number;
}

interface RunResult {
  up: StepSample[];
  down: DownSample[];
  /** Upward steps that caused no decrease (not a valid sample). */
  noDecrease: number;
  unsettled: number;
  rejected: number;
  otherCalls: number;
  warmupWrites: number;
}

type Mode = 'event' | 'fixed-1s' | 'processing';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) return false;
    await sleep(SETTINGS.pollMs);
  }
  return true;
}

/** pred() held for quietMs in a row (the ramp reserve raises in stages, each after the chargers report). */
async function quiet(pred: () => boolean, quietMs: number, timeoutMs: number): Promise<boolean> {
  const t0 = performance.now();
  let since: number | undefined;
  while (performance.now() - t0 <= timeoutMs) {
    if (!pred()) since = undefined;
    else if (since === undefined) since = performance.now();
    else if (performance.now() - since >= quietMs) return true;
    await sleep(SETTINGS.pollMs);
  }
  return false;
}

function lastSentOf(rig: W3Rig, keys: readonly string[]): Map<string, number | undefined> {
  return new Map(keys.map((k) => [k, rig.hub.energy.dispatcher.state(k)?.lastSentA]));
}

/** Every needed decrease written and answered, none in flight. */
function decreasesDone(rig: W3Rig, keys: readonly string[]): boolean {
  for (const k of keys) {
    const s = rig.hub.energy.dispatcher.state(k);
    if (!s) return false;
    if (s.inFlight) return false;
    if (s.targetA !== undefined && s.lastSentA !== undefined && s.targetA < s.lastSentA) return false;
  }
  return true;
}

/** Every target written and answered (increases included), none in flight. */
function allSettled(rig: W3Rig, keys: readonly string[]): boolean {
  return keys.every((k) => {
    const s = rig.hub.energy.dispatcher.state(k);
    return s !== undefined && !s.inFlight && s.targetA !== undefined && s.lastSentA !== undefined && s.targetA <= s.lastSentA + SETTINGS.hysteresisA + 1e-9;
  });
}

/** A profile that lowered the charger's offer (limit of its highest stack level). */
const lowered = (r: ProfileReceipt): boolean => r.offerBeforeA !== undefined && r.offerAfterA !== undefined && r.offerAfterA < r.offerBeforeA;
const raised = (r: ProfileReceipt): boolean => r.offerBeforeA !== undefined && r.offerAfterA !== undefined && r.offerAfterA > r.offerBeforeA;

function noneInFlight(rig: W3Rig, keys: readonly string[]): boolean {
  return keys.every((k) => rig.hub.energy.dispatcher.state(k)?.inFlight !== true);
}

/** The hub's grid reading shows `amps` on L1, the step message's value (and when it was received, epoch ms). */
function hubReadingAt(rig: W3Rig, amps: number): number | undefined {
  const r = rig.hub.energy.meters?.snapshot(Date.now())['grid'];
  return r?.currentA?.L1 === amps ? r.timeMs : undefined;
}

function waitToTick(arrivalMs: number, originMs: number, periodMs: number): number {
  const phase = (((arrivalMs - originMs) % periodMs) + periodMs) % periodMs;
  return periodMs - phase;
}

async function runMode(mode: Mode, prng: Prng, progress: (line: string) => void): Promise<RunResult> {
  const rig = await W3Rig.start({
    evses: SETTINGS.evses,
    chargingPerCircuit: SETTINGS.chargingPerCircuit,
    debounceMs: mode === 'event' ? SETTINGS.eventDebounceMs : SETTINGS.noTriggerDebounceMs,
    minIntervalS: SETTINGS.minIntervalS,
    hysteresisA: SETTINGS.hysteresisA,
    buildingA: SETTINGS.buildingLowA,
    meterIntervalMs: SETTINGS.meterIntervalMs,
    connectConcurrency: SETTINGS.connectConcurrency,
    followMs: SETTINGS.followMs,
    reportIntervalMs: SETTINGS.reportIntervalMs,
  });
  const controller = rig.hub.energy.controller;
  const dispatcher = rig.hub.energy.dispatcher;
  const keys = rig.chargingKeys();
  // The fixed loops decide only on their tick: no decision at once on a rising meter reading either.
  if (mode !== 'event') controller.meterReading = () => undefined;
  let ticker: NodeJS.Timeout | undefined;
  const gridOriginMs = performance.now();
  try {
    if (mode === 'fixed-1s') ticker = setInterval(() => controller.decideNow('fixed interval'), 1000);
    if (mode === 'processing') controller.decideNow('start');
    // Warm-up: every EVSE has its base and first dynamic profile.
    const warm = await until(() => dispatcher.stats().accepted >= 2 * SETTINGS.evses, 60_000);
    if (!warm) throw new Error(`warm-up: only ${dispatcher.stats().accepted} of ${2 * SETTINGS.evses} initial profiles accepted`);
    const warmupWrites = rig.receipts.length;
    progress(`${mode}: ${SETTINGS.evses} EVSEs booted (${keys.length} charging), ${warmupWrites} initial profiles written`);

    const result: RunResult = { up: [], down: [], noDecrease: 0, unsettled: 0, rejected: 0, otherCalls: 0, warmupWrites };
    const step = async (toA: number): Promise<{ arrivalMs: number; from: number; settled: boolean; brokerToHubMs?: number; processingStartMs?: number; decisionMs: number }> => {
      await sleep(prng.between(0, 1000));
      const from = rig.receipts.length;
      const seq = rig.meter.stepTo(toA);
      const arrivalMs = await rig.arrivalOf(seq);
      let hubAtEpochMs: number | undefined;
      const stepL1A = rig.meter.publishedL1A.get(seq) ?? Number.NaN;
      await until(() => (hubAtEpochMs = hubReadingAt(rig, stepL1A)) !== undefined, SETTINGS.settleTimeoutMs);
      const hubSeenMs = performance.now();
      let processingStartMs: number | undefined;
      if (mode === 'processing') {
        processingStartMs = performance.now();
        controller.decideNow('fixed interval');
      }
      // A decision strictly after the reading (same-millisecond ticks may have preceded it); decideNow() is synchronous.
      const decided = mode === 'processing' || (await until(() => (controller.lastDecision()?.atMs ?? 0) > (hubAtEpochMs ?? Infinity), SETTINGS.settleTimeoutMs));
      const decisionMs = controller.lastDecision()?.durationMs ?? Number.NaN;
      const settled = decided && (toA > SETTINGS.buildingLowA ? await until(() => decreasesDone(rig, keys), SETTINGS.settleTimeoutMs) : await quiet(() => allSettled(rig, keys), SETTINGS.quietMs, SETTINGS.settleTimeoutMs));
      return { arrivalMs, from, settled, decisionMs, ...(mode === 'processing' ? { brokerToHubMs: hubSeenMs - arrivalMs, processingStartMs } : {}) };
    };

    for (let i = -1; i < SETTINGS.steps; i++) {
      const before = lastSentOf(rig, keys);
      const up = await step(SETTINGS.buildingHighA);
      const after = lastSentOf(rig, keys);
      const got = rig.receipts.slice(up.from);
      const decreases = got.filter(lowered);
      const lastMs = decreases.reduce((m, r) => Math.max(m, r.atMs), Number.NEGATIVE_INFINITY);
      // The first cut at each station: the decision on the step itself (later cuts follow the chargers' reports).
      const firstCut = new Map<string, number>();
      for (const r of decreases) if (!firstCut.has(r.stationId)) firstCut.set(r.stationId, r.atMs);
      const lastFirstMs = Math.max(...firstCut.values());
      const changed = keys.filter((k) => before.get(k) !== after.get(k)).length;
      if (!up.settled) result.unsettled++;
      if (i >= 0 && decreases.length === 0) result.noDecrease++;
      if (i >= 0 && decreases.length > 0) {
        const sample: StepSample = { latencyMs: lastMs - up.arrivalMs, firstCutMs: lastFirstMs - up.arrivalMs, writes: got.length, decreases: decreases.length, changed, decisionMs: up.decisionMs };
        if (up.processingStartMs !== undefined) {
          sample.processingMs = lastMs - up.processingStartMs;
          sample.brokerToHubMs = up.brokerToHubMs;
          sample.wait1sMs = waitToTick(up.arrivalMs, gridOriginMs, 1000);
          sample.wait30sMs = waitToTick(up.arrivalMs, gridOriginMs, 30_000);
        }
        result.up.push(sample);
      }
      const down = await step(SETTINGS.buildingLowA);
      // step() waited until every target was written (increases wait for minIntervalS, the
      // decreases' reports and the ramp reserve); now let the EVs follow and report, and the
      // grid meter show it, so that the next step starts from a steady state.
      if (!down.settled) result.unsettled++;
      await sleep(SETTINGS.followMs + SETTINGS.meterIntervalMs + 200);
      await until(() => noneInFlight(rig, keys), SETTINGS.settleTimeoutMs);
      const downGot = rig.receipts.slice(down.from);
      const increases = downGot.filter(raised);
      const lastUpMs = increases.reduce((m, r) => Math.max(m, r.atMs), Number.NEGATIVE_INFINITY);
      if (i >= 0) result.down.push({ latencyMs: increases.length > 0 ? lastUpMs - down.arrivalMs : Number.NaN, writes: downGot.length, increases: increases.length });
      if (i >= 0 && (i + 1) % 10 === 0) progress(`${mode}: ${i + 1}/${SETTINGS.steps} steps`);
    }
    result.rejected = dispatcher.stats().rejected + dispatcher.stats().failed;
    result.otherCalls = rig.stations.reduce((n, s) => n + s.otherCalls, 0);
    return result;
  } finally {
    clearInterval(ticker);
    await rig.stop();
  }
}

function p(samples: readonly number[], q: number): number {
  return percentile(samples.filter((v) => Number.isFinite(v)), q);
}

function mean(samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

export const benchmark: Benchmark = {
  name: 'control-loop',
  workload: 'W3',
  title: 'meter step at the broker -> last needed SetChargingProfile, 200 EVSEs: event-driven vs fixed 1 s and 30 s loops',
  async run(progress): Promise<BenchResult> {
    const prng = createPrng(SETTINGS.seed);
    const event = await runMode('event', prng, progress);
    const fixed1 = await runMode('fixed-1s', prng, progress);
    const proc = await runMode('processing', prng, progress);

    const ev = event.up.map((s) => s.latencyMs);
    const f1 = fixed1.up.map((s) => s.latencyMs);
    const f30 = proc.up.map((s) => (s.wait30sMs ?? Number.NaN) + (s.processingMs ?? Number.NaN));
    const f1computed = proc.up.map((s) => (s.wait1sMs ?? Number.NaN) + (s.processingMs ?? Number.NaN));
    const processing = proc.up.map((s) => s.processingMs ?? Number.NaN);
    const writes = (r: RunResult) => mean(r.up.map((s) => s.writes));
    const evUp = event.down.map((d) => d.latencyMs);
    const f1Up = fixed1.down.map((d) => d.latencyMs);
    const decisions = [...event.up, ...fixed1.up, ...proc.up].map((s) => s.decisionMs);

    const all = [event, fixed1, proc];
    const evFirst = event.up.map((s) => s.firstCutMs);
    const f1First = fixed1.up.map((s) => s.firstCutMs);
    const rows: BenchRow[] = [
      { metric: 'step up -> first cut at every cut station, p50 (event vs fixed 1 s)', value: p(evFirst, 50), unit: 'ms', baseline: { label: 'fixed 1 s', value: p(f1First, 50) }, digits: 0 },
      { metric: 'step up -> first cut at every cut station, p99 (event vs fixed 1 s)', value: p(evFirst, 99), unit: 'ms', baseline: { label: 'fixed 1 s', value: p(f1First, 99) }, digits: 0 },
      { metric: 'step up -> last decrease, p50 (event vs fixed 1 s, measured)', value: p(ev, 50), unit: 'ms', baseline: { label: 'fixed 1 s', value: p(f1, 50) }, digits: 0 },
      { metric: 'step up -> last decrease, p99 (event vs fixed 1 s, measured)', value: p(ev, 99), unit: 'ms', baseline: { label: 'fixed 1 s', value: p(f1, 99) }, digits: 0 },
      { metric: 'step up -> last decrease, p50 (event vs fixed 30 s)', value: p(ev, 50), unit: 'ms', baseline: { label: 'fixed 30 s', value: p(f30, 50) }, digits: 0 },
      { metric: 'step up -> last decrease, p99 (event vs fixed 30 s)', value: p(ev, 99), unit: 'ms', baseline: { label: 'fixed 30 s', value: p(f30, 99) }, digits: 0 },
      { metric: 'profile writes per upward step (event vs fixed 1 s)', value: writes(event), unit: 'writes', baseline: { label: 'fixed 1 s', value: writes(fixed1) } },
      { metric: 'profile writes per upward step (event vs fixed 30 s)', value: writes(event), unit: 'writes', baseline: { label: 'fixed 30 s', value: writes(proc) } },
      { metric: 'step down -> last increase, p50 (may wait; event vs fixed 1 s)', value: p(evUp, 50), unit: 'ms', baseline: { label: 'fixed 1 s', value: p(f1Up, 50) }, digits: 0 },
      { metric: 'step down -> last increase, p99 (may wait; event vs fixed 1 s)', value: p(evUp, 99), unit: 'ms', baseline: { label: 'fixed 1 s', value: p(f1Up, 99) }, digits: 0 },
      { metric: 'profile writes per downward step (event vs fixed 1 s)', value: mean(event.down.map((d) => d.writes)), unit: 'writes', baseline: { label: 'fixed 1 s', value: mean(fixed1.down.map((d) => d.writes)) } },
      { metric: 'fixed 1 s loop p50: computed (wait + processing) vs measured', value: p(f1computed, 50), unit: 'ms', baseline: { label: 'measured', value: p(f1, 50) }, digits: 0 },
      { metric: 'tick processing (decide + dispatch + delivery), p50', value: p(processing, 50), unit: 'ms', digits: 1 },
      { metric: 'tick processing (decide + dispatch + delivery), p99', value: p(processing, 99), unit: 'ms', digits: 1 },
      { metric: 'pure decision (decide + guard), p50 / 200 EVSEs', value: p(decisions, 50), unit: 'ms', digits: 2 },
      { metric: 'pure decision (decide + guard), p99 / 200 EVSEs', value: p(decisions, 99), unit: 'ms', digits: 2 },
      { metric: 'broker -> hub meter reading, p50', value: p(proc.up.map((s) => s.brokerToHubMs ?? Number.NaN), 50), unit: 'ms', digits: 1 },
    ];
    const notes = [
      `${SETTINGS.evses} EVSEs (half OCPP 1.6, half 2.0.1; 3 in 4 three-phase 16 A with rotations L1L2L3/L2L3L1/L3L1L2, 1 in 4 single-phase 32 A on L1/L2/L3), ${4 * SETTINGS.chargingPerCircuit} charging (${SETTINGS.chargingPerCircuit} per sub-circuit); main 400 A, four sub-circuits of 125 A; grid meter every ${SETTINGS.meterIntervalMs} ms over MQTT (aedes, loopback, in process).`,
      `Step: building load ${SETTINGS.buildingLowA} -> ${SETTINGS.buildingHighA} A per phase (the measured direction: every charging EVSE needs a lower limit), then back down (increases: they may wait for minIntervalS = ${SETTINGS.minIntervalS} s, the decreases' reports and the ramp reserve; reported separately). The stations' EVs draw what they are offered ${SETTINGS.followMs} ms after it arrives and the chargers report Current.Import per phase on every change and every ${SETTINGS.reportIntervalMs / 1000} s; the grid meter shows building load plus the EVs' draw. ${SETTINGS.steps} measured steps per set-up after one warm-up step, each at a random instant (0-1 s after the previous settled), so p99 over ${SETTINGS.steps} steps is close to the maximum.`,
      `Latency clock: performance.now() in one process: start when aedes' authorizePublish sees the step's PUBLISH, end when the last station socket receives a SetChargingProfile that lowers its offer (for increases: raises it) (one loopback hop and the station's JSON.parse included). The hub, broker, publisher and 200 stations share one Node event loop, so station-side work competes with the hub.`,
      `Event-driven = the hub as shipped, energy.debounceMs ${SETTINGS.eventDebounceMs} ms (the default). The window opens at the first trigger (it is not a trailing debounce): a step arriving less than ${SETTINGS.eventDebounceMs} ms after the previous periodic reading joins the window that reading opened, so some event-driven latencies are below ${SETTINGS.eventDebounceMs} ms. Fixed 30 s = measured processing (decideNow() -> last profile) + wait to the next tick on a 30 s grid from each step's real arrival time; the 1 s row "computed vs measured" checks this method against the real 1 s timer.`,
      `Writes per upward step: mean SetChargingProfile frames between the step and settling; EVSEs whose accepted limit changed: event ${mean(event.up.map((s) => s.changed)).toFixed(1)}, fixed 1 s ${mean(fixed1.up.map((s) => s.changed)).toFixed(1)}, processing ${mean(proc.up.map((s) => s.changed)).toFixed(1)}. Writes per downward step (mean): event ${mean(event.down.map((d) => d.writes)).toFixed(1)}, fixed 1 s ${mean(fixed1.down.map((d) => d.writes)).toFixed(1)}, processing ${mean(proc.down.map((d) => d.writes)).toFixed(1)}; of them increases ${all.map((r) => mean(r.down.map((d) => d.increases)).toFixed(1)).join(' / ')}. Upward steps that caused no decrease (left out): ${all.map((r) => r.noDecrease).join(' / ')}. The meter reads a clean step (no noise), so all loops write once per EVSE that changes; a noisy meter would add writes to the loops that decide more often.`,
      `Sanity: steps that did not settle within ${SETTINGS.settleTimeoutMs / 1000} s: ${all.map((r) => r.unsettled).join(' / ')}; rejected or unanswered profile writes: ${all.map((r) => r.rejected).join(' / ')}; other CALLs from the hub: ${all.map((r) => r.otherCalls).join(' / ')} (event / fixed 1 s / processing). Initial profiles at warm-up: ${all.map((r) => r.warmupWrites).join(' / ')}.`,
      `Spread: event-driven latency min-max ${Math.min(...ev).toFixed(0)}-${Math.max(...ev).toFixed(0)} ms; fixed 1 s ${Math.min(...f1).toFixed(0)}-${Math.max(...f1).toFixed(0)} ms; fixed 30 s ${Math.min(...f30).toFixed(0)}-${Math.max(...f30).toFixed(0)} ms.`,
      `"Last decrease" includes cuts that follow the chargers' reports after the step (the estimate of unreported ramps); "first cut" is each cut station's first lower offer after the step, i.e. what the step's own decision wrote. The fixed loops have the decision at once on a rising reading switched off (they decide only on their tick).`,
      `Wire limits are rounded down to 0.1 A (${wireLimitA(6.57)} A for 6.57 A); a decrease is written whenever the rounded target drops.`,
    ];
    return { rows, notes };
  },
};
