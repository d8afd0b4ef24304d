import { isSuperseded, pruneExpired, selectDerControls, type DerControlState } from './der-control-store.js';
import {
  HUB_APPLIED_DER_TYPES,
  type DerControl, type DerControlAnswer, type DerControlType, type GetDerControlRequest, type ReportDerControlRequest,
} from './der-control-types.js';

/** Entries per array (and so controls per message) in one ReportDERControlRequest. */
export const REPORT_CHUNK = 24;

/** Adds one control to the report arrays under its field, in the 2.1 Get shapes. */
function addEntry(report: ReportDerControlRequest, c: DerControl, superseded: boolean): void {
  const flags = { id: c.controlId, isDefault: c.isDefault, isSuperseded: superseded };
  switch (c.controlType) {
    case 'EnterService':
      (report.enterService ??= []).push({ id: c.controlId, enterService: c.enterService });
      return;
    case 'Gradients':
      (report.gradient ??= []).push({ id: c.controlId, gradient: c.gradient });
      return;
    case 'FixedPFAbsorb':
      (report.fixedPFAbsorb ??= []).push({ ...flags, fixedPF: c.fixedPFAbsorb });
      return;
    case 'FixedPFInject':
      (report.fixedPFInject ??= []).push({ ...flags, fixedPF: c.fixedPFInject });
      return;
    case 'FixedVar':
      (report.fixedVar ??= []).push({ ...flags, fixedVar: c.fixedVar });
      return;
    case 'FreqDroop':
      (report.freqDroop ??= []).push({ ...flags, freqDroop: c.freqDroop });
      return;
    case 'LimitMaxDischarge':
      (report.limitMaxDischarge ??= []).push({ ...flags, limitMaxDischarge: c.limitMaxDischarge });
      return;
    default:
      (report.curve ??= []).push({ ...flags, curveType: c.controlType, curve: c.curve });
  }
}

/** ReportDERControlRequests for the controls, REPORT_CHUNK per message, tbc on all but the last. */
export function reportPayloads(
  requestId: number,
  controls: readonly DerControl[],
  state: DerControlState,
  nowMs: number,
): ReportDerControlRequest[] {
  const out: ReportDerControlRequest[] = [];
  for (let i = 0; i < controls.length; i += REPORT_CHUNK) {
    const report: ReportDerControlRequest = { requestId };
    for (const c of controls.slice(i, i + REPORT_CHUNK)) addEntry(report, c, isSuperseded(c, state, nowMs));
    if (i + REPORT_CHUNK < controls.length) report.tbc = true;
    out.push(report);
  }
  return out;
}

/**
 * Handles a GetDERControlRequest: Accepted with the ReportDERControlRequests to send after the
 * answer; NotSupported for a type the hub does not apply; NotFound when nothing matches.
 */
export function getDerControl(
  state: DerControlState,
  req: GetDerControlRequest,
  nowMs: number,
  supported: readonly DerControlType[] = HUB_APPLIED_DER_TYPES,
): { response: DerControlAnswer; reports: ReportDerControlRequest[] } {
  if (req.controlId === undefined && req.controlType !== undefined && !supported.includes(req.controlType)) {
    return { response: { status: 'NotSupported', statusInfo: { reasonCode: 'UnsupportedParam', additionalInfo: `${req.controlType} is not applied by this hub` } }, reports: [] };
  }
  const live = pruneExpired(state, nowMs);
  const found = selectDerControls(live, req);
  if (found.length === 0) {
    return { response: { status: 'NotFound', statusInfo: { reasonCode: 'UnknownControl', additionalInfo: 'no DER control matches' } }, reports: [] };
  }
  return { response: { status: 'Accepted' }, reports: reportPayloads(req.requestId, found, live, nowMs) };
}
