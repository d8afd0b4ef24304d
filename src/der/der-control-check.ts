import {
  HUB_APPLIED_DER_TYPES, isCurveType,
  type DerControl, type DerControlType, type SetDerControlRequest, type StatusInfo,
} from './der-control-types.js';

export type ParsedDerControl =
  | { ok: true; control: DerControl }
  | { ok: false; status: 'Rejected' | 'NotSupported'; statusInfo: StatusInfo };

const SETTING_FIELDS = [
  'curve', 'enterService', 'fixedPFAbsorb', 'fixedPFInject', 'fixedVar', 'freqDroop', 'gradient', 'limitMaxDischarge',
] as const;

function rejected(reasonCode: string, additionalInfo: string): ParsedDerControl {
  return { ok: false, status: 'Rejected', statusInfo: { reasonCode, additionalInfo } };
}

/** The control for the request's type with its matching setting, or why there is none. Time window left unset. */
function controlOf(req: SetDerControlRequest): DerControl | string {
  const common = { controlId: req.controlId, isDefault: req.isDefault, seq: 0 };
  const t = req.controlType;
  if (isCurveType(t)) return req.curve ? { ...common, priority: req.curve.priority, controlType: t, curve: req.curve } : 'curve';
  switch (t) {
    case 'EnterService':
      return req.enterService ? { ...common, priority: req.enterService.priority, controlType: t, enterService: req.enterService } : 'enterService';
    case 'FixedPFAbsorb':
      return req.fixedPFAbsorb ? { ...common, priority: req.fixedPFAbsorb.priority, controlType: t, fixedPFAbsorb: req.fixedPFAbsorb } : 'fixedPFAbsorb';
    case 'FixedPFInject':
      return req.fixedPFInject ? { ...common, priority: req.fixedPFInject.priority, controlType: t, fixedPFInject: req.fixedPFInject } : 'fixedPFInject';
    case 'FixedVar':
      return req.fixedVar ? { ...common, priority: req.fixedVar.priority, controlType: t, fixedVar: req.fixedVar } : 'fixedVar';
    case 'FreqDroop':
      return req.freqDroop ? { ...common, priority: req.freqDroop.priority, controlType: t, freqDroop: req.freqDroop } : 'freqDroop';
    case 'Gradients':
      return req.gradient ? { ...common, priority: req.gradient.priority, controlType: t, gradient: req.gradient } : 'gradient';
    case 'LimitMaxDischarge':
      return req.limitMaxDischarge
        ? { ...common, priority: req.limitMaxDischarge.priority, controlType: t, limitMaxDischarge: req.limitMaxDischarge }
        : 'limitMaxDischarge';
  }
}

/** startTime and duration of the control's setting (EnterService and Gradients have none). */
export function windowFields(c: DerControl): { startTime?: string; duration?: number } {
  switch (c.controlType) {
    case 'EnterService':
    case 'Gradients':
      return {};
    case 'FixedPFAbsorb':
      return c.fixedPFAbsorb;
    case 'FixedPFInject':
      return c.fixedPFInject;
    case 'FixedVar':
      return c.fixedVar;
    case 'FreqDroop':
      return c.freqDroop;
    case 'LimitMaxDischarge':
      return c.limitMaxDischarge;
    default:
      return c.curve;
  }
}

/** Why the values of a setting the hub applies cannot be applied, or undefined. */
function valueProblem(c: DerControl): string | undefined {
  const finite = (...xs: (number | undefined)[]): boolean => xs.every((x) => x === undefined || Number.isFinite(x));
  switch (c.controlType) {
    case 'FreqDroop': {
      const d = c.freqDroop;
      if (!finite(d.overFreq, d.underFreq, d.overDroop, d.underDroop, d.responseTime)) return 'freqDroop has a non-finite value';
      if (d.overDroop <= 0 || d.underDroop <= 0) return 'freqDroop: overDroop and underDroop must be > 0 (per unit)';
      if (d.underFreq > d.overFreq) return `freqDroop: underFreq ${d.underFreq} Hz is above overFreq ${d.overFreq} Hz`;
      if (d.responseTime < 0) return 'freqDroop: responseTime must be >= 0 s';
      return undefined;
    }
    case 'FreqWatt': {
      const { curveData, yUnit, responseTime } = c.curve;
      if (yUnit !== 'PctMaxW' && yUnit !== 'PctWAvail') return `FreqWatt: yUnit ${yUnit} is not supported (PctMaxW, PctWAvail)`;
      if (!curveData.every((p) => finite(p.x, p.y)) || !finite(responseTime)) return 'FreqWatt: curve has a non-finite value';
      const sorted = [...curveData].sort((a, b) => a.x - b.x);
      for (let i = 1; i < sorted.length; i += 1) {
        const a = sorted[i - 1];
        const b = sorted[i];
        if (!a || !b) continue;
        if (a.x === b.x) return `FreqWatt: two points at ${a.x} Hz`;
        if (b.y > a.y) return `FreqWatt: injection rises from ${a.y} % at ${a.x} Hz to ${b.y} % at ${b.x} Hz (must not rise with frequency)`;
      }
      return undefined;
    }
    case 'FixedPFAbsorb':
    case 'FixedPFInject': {
      const pf = c.controlType === 'FixedPFAbsorb' ? c.fixedPFAbsorb : c.fixedPFInject;
      if (!finite(pf.displacement) || pf.displacement <= 0 || pf.displacement > 1) return 'fixedPF: displacement must be in (0, 1]';
      return undefined;
    }
    case 'Gradients': {
      const g = c.gradient;
      if (!finite(g.gradient, g.softGradient) || g.gradient < 0 || g.softGradient < 0) return 'gradient: rates must be >= 0 s';
      return undefined;
    }
    case 'EnterService': {
      const e = c.enterService;
      if (!finite(e.highVoltage, e.lowVoltage, e.highFreq, e.lowFreq, e.delay, e.randomDelay, e.rampRate)) return 'enterService has a non-finite value';
      if (e.lowVoltage > e.highVoltage) return 'enterService: lowVoltage is above highVoltage';
      if (e.lowFreq > e.highFreq) return 'enterService: lowFreq is above highFreq';
      if ((e.delay ?? 0) < 0 || (e.randomDelay ?? 0) < 0 || (e.rampRate ?? 0) < 0) return 'enterService: delays and rampRate must be >= 0 s';
      return undefined;
    }
    case 'LimitMaxDischarge': {
      const p = c.limitMaxDischarge.pctMaxDischargePower;
      if (p !== undefined && (!Number.isFinite(p) || p < 0 || p > 100)) return 'limitMaxDischarge: pctMaxDischargePower must be 0..100';
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Checks a (schema-valid) SetDERControlRequest and builds the control to store (seq 0; the
 * store numbers it). Rules:
 * - a type the hub does not apply (not in `supported`) is NotSupported;
 * - exactly one setting field, the one matching controlType, must be present;
 * - a scheduled control (isDefault false) needs startTime and duration > 0 and must not have
 *   ended at nowMs; EnterService and Gradients carry no window and are accepted as defaults only;
 * - a default control holds without a window (a startTime/duration it carries is ignored);
 * - the setting's values must make sense for the hub (see valueProblem).
 */
export function parseSetDerControl(
  req: SetDerControlRequest,
  nowMs: number,
  supported: readonly DerControlType[] = HUB_APPLIED_DER_TYPES,
): ParsedDerControl {
  if (!supported.includes(req.controlType)) {
    return { ok: false, status: 'NotSupported', statusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: `${req.controlType} is not applied by this hub` } };
  }
  const built = controlOf(req);
  if (typeof built === 'string') return rejected('MissingParam', `${req.controlType} needs the field ${built}`);
  const extra = SETTING_FIELDS.filter((f) => req[f] !== undefined && f !== controlFieldOf(built));
  if (extra.length > 0) return rejected('InvalidValue', `${req.controlType} takes only its own setting; also given: ${extra.join(', ')}`);
  const problem = valueProblem(built);
  if (problem) return rejected('InvalidValue', problem);
  if (req.isDefault) return { ok: true, control: built };

  if (built.controlType === 'EnterService' || built.controlType === 'Gradients') {
    return rejected('InvalidValue', `${built.controlType} has no startTime/duration: it can only be set as a default (isDefault true)`);
  }
  const { startTime, duration } = windowFields(built);
  if (startTime === undefined || duration === undefined) return rejected('MissingParam', 'a scheduled control needs startTime and duration');
  const startMs = Date.parse(startTime);
  if (!Number.isFinite(startMs)) return rejected('InvalidValue', `startTime ${startTime} is not a date-time`);
  if (!Number.isFinite(duration) || duration <= 0) return rejected('InvalidValue', 'duration must be > 0 s');
  if (startMs + duration * 1000 <= nowMs) return rejected('InvalidValue', 'the control ends in the past');
  return { ok: true, control: { ...built, startMs, durationS: duration } };
}

function controlFieldOf(c: DerControl): (typeof SETTING_FIELDS)[number] {
  switch (c.controlType) {
    case 'EnterService': return 'enterService';
    case 'FixedPFAbsorb': return 'fixedPFAbsorb';
    case 'FixedPFInject': return 'fixedPFInject';
    case 'FixedVar': return 'fixedVar';
    case 'FreqDroop': return 'freqDroop';
    case 'Gradients': return 'gradient';
    case 'LimitMaxDischarge': return 'limitMaxDischarge';
    default: return 'curve';
  }
}

/** The SetDERControlRequest that gives this control (for storage and replay). */
export function requestOf(c: DerControl): SetDerControlRequest {
  const head = { isDefault: c.isDefault, controlId: c.controlId };
  switch (c.controlType) {
    case 'EnterService': return { ...head, controlType: c.controlType, enterService: c.enterService };
    case 'FixedPFAbsorb': return { ...head, controlType: c.controlType, fixedPFAbsorb: c.fixedPFAbsorb };
    case 'FixedPFInject': return { ...head, controlType: c.controlType, fixedPFInject: c.fixedPFInject };
    case 'FixedVar': return { ...head, controlType: c.controlType, fixedVar: c.fixedVar };
    case 'FreqDroop': return { ...head, controlType: c.controlType, freqDroop: c.freqDroop };
    case 'Gradients': return { ...head, controlType: c.controlType, gradient: c.gradient };
    case 'LimitMaxDischarge': return { ...head, controlType: c.controlType, limitMaxDischarge: c.limitMaxDischarge };
    default: return { ...head, controlType: c.controlType, curve: c.curve };
  }
}
