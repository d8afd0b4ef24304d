/**
 * The steady traffic's periodic meter CALL as wire text, built from per-charger parts made once:
 * the same text as `JSON.stringify([2, id, action, payload])` of `meterCall` (ocpp-frames.ts) for
 * the same values, without building the payload's 10 objects and then serialising them at every
 * message. The load generator shares the machine with the hub; what it spends per message comes
 * out of the round trips it measures.
 */
import type { BenchVersion } from './bench-station.js';
import type { MeterSample } from './ocpp-frames.js';

/** Builds one charger's meter frames: its version and transaction fixed, the rest per message. */
export interface MeterFrames {
  frame(id: string, seqNo: number, atMs: number, sample: MeterSample): string;
}

const PHASES = ['L1', 'L2', 'L3'] as const;

function phaseCurrentA(s: MeterSample, i: number): number {
  return i < (s.phases ?? 3) ? s.currentA : 0;
}

/** A JSON string literal, as JSON.stringify writes it. */
const q = (s: string): string => JSON.stringify(s);

function sampled16(s: MeterSample): string {
  const p = '{"context":"Sample.Periodic","value":';
  const parts = [
    `${p}${q(String(s.energyWh))},"measurand":"Energy.Active.Import.Register","unit":"Wh"}`,
    `${p}${q(String(s.powerW))},"measurand":"Power.Active.Import","unit":"W"}`,
    ...PHASES.map((phase, i) => `${p}${q(phaseCurrentA(s, i).toFixed(1))},"measurand":"Current.Import","phase":"${phase}","unit":"A"}`),
    ...PHASES.map((phase) => `${p}${q(s.voltageV.toFixed(1))},"measurand":"Voltage","phase":"${phase}-N","unit":"V"}`),
    `${p}${q(String(s.socPercent))},"measurand":"SoC","location":"EV","unit":"Percent"}`,
  ];
  return `[${parts.join(',')}]`;
}

/** A JSON number as JSON.stringify writes it (null for NaN and the infinities). */
const num = (n: number): string => JSON.stringify(n);

function sampled2x(s: MeterSample): string {
  const p = '{"context":"Sample.Periodic","value":';
  const parts = [
    `${p}${num(s.energyWh)},"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"Wh"}}`,
    `${p}${num(s.powerW)},"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"W"}}`,
    ...PHASES.map((phase, i) => `${p}${num(phaseCurrentA(s, i))},"measurand":"Current.Import","phase":"${phase}","unitOfMeasure":{"unit":"A"}}`),
    ...PHASES.map((phase) => `${p}${num(s.voltageV)},"measurand":"Voltage","phase":"${phase}-N","unitOfMeasure":{"unit":"V"}}`),
    `${p}${num(s.socPercent)},"measurand":"SoC","location":"EV","unitOfMeasure":{"unit":"Percent"}}`,
  ];
  return `[${parts.join(',')}]`;
}

export function meterFrames(version: BenchVersion, transactionId: string): MeterFrames {
  if (version === '1.6') {
    // Number(transactionId) as JSON.stringify writes it, fixed for the charger.
    const head = `,"MeterValues",{"connectorId":1,"transactionId":${num(Number(transactionId))},"meterValue":[{"timestamp":`;
    return { frame: (id, _seqNo, atMs, sample) => `[2,${q(id)}${head}${q(new Date(atMs).toISOString())},"sampledValue":${sampled16(sample)}}]}]` };
  }
  const info = `"transactionInfo":{"transactionId":${q(transactionId)},"chargingState":"Charging"}`;
  return {
    frame: (id, seqNo, atMs, sample) => {
      const ts = q(new Date(atMs).toISOString());
      return `[2,${q(id)},"TransactionEvent",{"eventType":"Updated","timestamp":${ts},"triggerReason":"MeterValuePeriodic","seqNo":${num(seqNo)},${info},"meterValue":[{"timestamp":${ts},"sampledValue":${sampled2x(sample)}}]}]`;
    },
  };
}
