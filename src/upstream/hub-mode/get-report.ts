/**
 * GetReport (2.0.1 B08) on the hub's device model: the variables selected by the request's
 * criteria, answered now and reported after the answer in NotifyReports paged by
 * ItemsPerMessage. Pure.
 *
 * Selection:
 * - componentVariable: an entry matches when its component has that name, the instance and EVSE
 *   / connector named (an omitted instance or EVSE matches every one), and the variable named
 *   (all of the component's variables when none is named);
 * - componentCriteria (Active, Available, Enabled, Problem): a component is reported when it has
 *   the variable of that name with the value true, for at least one criterion;
 * - both: both must hold; neither: everything.
 * Nothing selected -> EmptyResultSet. More componentVariable items than ItemsPerMessage
 * (GetReport) -> Rejected, saying so.
 */
import { notifyReports, type DeviceModel, type VariableEntry } from './device-model.js';
import type { ComponentRef, VariableRef } from './wire-2x.js';

export interface ComponentVariableCriterion {
  component: ComponentRef;
  variable?: VariableRef;
}

export interface GetReportReq {
  requestId: number;
  componentCriteria?: string[];
  componentVariable?: ComponentVariableCriterion[];
}

function componentKey(c: ComponentRef): string {
  return JSON.stringify([c.name, c.instance ?? '', c.evse?.id ?? null, c.evse?.connectorId ?? null]);
}

function matchesComponent(entry: ComponentRef, want: ComponentRef): boolean {
  if (entry.name !== want.name) return false;
  if (want.instance !== undefined && (entry.instance ?? '') !== want.instance) return false;
  if (want.evse) {
    if (entry.evse?.id !== want.evse.id) return false;
    if (want.evse.connectorId !== undefined && entry.evse.connectorId !== want.evse.connectorId) return false;
  }
  return true;
}

function matchesVariable(entry: VariableRef, want: VariableRef | undefined): boolean {
  if (!want) return true;
  return entry.name === want.name && (want.instance === undefined || (entry.instance ?? '') === want.instance);
}

export function getReport(model: DeviceModel, req: GetReportReq, nowMs: number, itemsPerMessage: number): { payload: { status: string; statusInfo?: object }; reports: object[] } {
  const cvs = req.componentVariable ?? [];
  if (cvs.length > itemsPerMessage) {
    return { payload: { status: 'Rejected', statusInfo: { reasonCode: 'TooManyElements', additionalInfo: `at most ${itemsPerMessage} componentVariable items (ItemsPerMessage GetReport)` } }, reports: [] };
  }
  let selected: VariableEntry[] = model.entries;
  if (cvs.length > 0) selected = selected.filter((e) => cvs.some((cv) => matchesComponent(e.component, cv.component) && matchesVariable(e.variable, cv.variable)));
  const criteria = req.componentCriteria ?? [];
  if (criteria.length > 0) {
    const chosen = new Set(model.entries.filter((e) => criteria.includes(e.variable.name) && e.value === 'true').map((e) => componentKey(e.component)));
    selected = selected.filter((e) => chosen.has(componentKey(e.component)));
  }
  if (selected.length === 0) return { payload: { status: 'EmptyResultSet' }, reports: [] };
  return { payload: { status: 'Accepted' }, reports: notifyReports(selected, req.requestId, nowMs, itemsPerMessage) };
}
