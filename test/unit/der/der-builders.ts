import type { SetDerControlRequest } from '../../../src/der/der-control-types.js';

export const T0_MS = Date.UTC(2026, 0, 5, 8, 0, 0);

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A scheduled LimitMaxDischarge control: 50 % for an hour from T0, priority 5. */
export function aLimitMaxDischarge(over: { id?: string; priority?: number; pct?: number; startMs?: number; durationS?: number; isDefault?: boolean } = {}): SetDerControlRequest {
  const isDefault = over.isDefault ?? false;
  return {
    isDefault,
    controlId: over.id ?? 'lmd-1',
    controlType: 'LimitMaxDischarge',
    limitMaxDischarge: {
      priority: over.priority ?? 5,
      pctMaxDischargePower: over.pct ?? 50,
      ...(isDefault ? {} : { startTime: iso(over.startMs ?? T0_MS), duration: over.durationS ?? 3600 }),
    },
  };
}

export function aFreqDroop(over: { id?: string; priority?: number; isDefault?: boolean; startMs?: number; durationS?: number } = {}): SetDerControlRequest {
  const isDefault = over.isDefault ?? true;
  return {
    isDefault,
    controlId: over.id ?? 'fd-1',
    controlType: 'FreqDroop',
    freqDroop: {
      priority: over.priority ?? 1, overFreq: 50.2, underFreq: 49.8, overDroop: 0.05, underDroop: 0.05, responseTime: 0,
      ...(isDefault ? {} : { startTime: iso(over.startMs ?? T0_MS), duration: over.durationS ?? 600 }),
    },
  };
}

export function aFreqWatt(over: { id?: string; isDefault?: boolean } = {}): SetDerControlRequest {
  return {
    isDefault: over.isDefault ?? true,
    controlId: over.id ?? 'fw-1',
    controlType: 'FreqWatt',
    curve: {
      priority: 1, yUnit: 'PctMaxW', responseTime: 0,
      curveData: [{ x: 49.5, y: 100 }, { x: 49.9, y: 0 }, { x: 50.1, y: 0 }, { x: 50.5, y: -100 }],
    },
  };
}

export function aGradient(gradientS: number, softGradientS = 0, id = 'grad-1'): SetDerControlRequest {
  return { isDefault: true, controlId: id, controlType: 'Gradients', gradient: { priority: 1, gradient: gradientS, softGradient: softGradientS } };
}

export function anEnterService(over: { delay?: number; randomDelay?: number; rampRate?: number; id?: string } = {}): SetDerControlRequest {
  return {
    isDefault: true,
    controlId: over.id ?? 'es-1',
    controlType: 'EnterService',
    enterService: {
      priority: 1, highVoltage: 253, lowVoltage: 207, highFreq: 50.1, lowFreq: 49.9,
      delay: over.delay ?? 60, randomDelay: over.randomDelay ?? 0, rampRate: over.rampRate ?? 0,
    },
  };
}

export function aFixedPF(type: 'FixedPFAbsorb' | 'FixedPFInject', id = `pf-${type}`): SetDerControlRequest {
  const fixedPF = { priority: 1, displacement: 0.95, excitation: type === 'FixedPFAbsorb' };
  return type === 'FixedPFAbsorb'
    ? { isDefault: true, controlId: id, controlType: type, fixedPFAbsorb: fixedPF }
    : { isDefault: true, controlId: id, controlType: type, fixedPFInject: fixedPF };
}
