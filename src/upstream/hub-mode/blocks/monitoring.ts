/**
 * Monitoring (2.0.1 N02-N08). Monitors live on the 2.x chargers; a 1.6 charger has none, and
 * the hub monitors none of its own components.
 *
 * - SetMonitoringBase / SetMonitoringLevel: every connected 2.x charger; Accepted only when all
 *   accept (no 2.x charger: NotSupported / Rejected).
 * - SetVariableMonitoring: each item goes to the charger of its component's EVSE (EVSE ids
 *   remapped). The hub numbers monitors itself (chargers number theirs independently) and keeps
 *   upstream id <-> (charger, charger's id) in its store. Items on a component without an EVSE
 *   (the hub's) or on a 1.6 charger's EVSE are Rejected with a reason; unknown ids Rejected.
 * - GetMonitoringReport: the chargers concerned (an EVSE named in componentVariable: its
 *   charger; else every 2.x charger); their NotifyMonitoringReports become one report for the
 *   requestId (seqNo renumbered, tbc until the last charger's last message, EVSEs and monitor
 *   ids upstream). Accepted when one charger will report, EmptyResultSet when none has any.
 * - ClearVariableMonitoring: by upstream id to the chargers holding them; unknown ids NotFound.
 */
import type { BlockContext, ChargerCall, ChargerRef, HubBlock } from './block-types.js';
import { callAll, componentDown, componentUp, info, is2x, isRecord, isoNow, statusOf } from './targets.js';
import { ReportStream, closeWhenLate } from './report-stream.js';

interface MonitorId {
  id: number;
  stationId: string;
  chargerId: number;
}

const KEY = 'monitors';

export function monitoringBlock(ctx: BlockContext): HubBlock {
  const loaded = ctx.load(KEY);
  let ids: MonitorId[] = isRecord(loaded) && Array.isArray(loaded.ids) ? (loaded.ids as MonitorId[]) : [];
  let nextId = isRecord(loaded) && typeof loaded.nextId === 'number' ? loaded.nextId : 1;
  const streams = new Map<number, ReportStream>();
  const save = (): void => ctx.save(KEY, { ids, nextId });

  const upstreamId = (stationId: string, chargerId: number): number => {
    const known = ids.find((m) => m.stationId === stationId && m.chargerId === chargerId);
    if (known) return known.id;
    const id = nextId++;
    ids = [...ids, { id, stationId, chargerId }];
    save();
    return id;
  };

  const fanOut = async (action: string, p: Record<string, unknown>, signal: AbortSignal, none: object, ok: string, refused: string): Promise<object> => {
    const chargers = ctx.connected().filter(is2x);
    if (chargers.length === 0) return none;
    const statuses = (await callAll(ctx, chargers.map((charger) => ({ charger, action, payload: p })), signal)).map(statusOf);
    if (statuses.every((s) => s === ok)) return { status: ok };
    if (action === 'SetMonitoringBase' && statuses.every((s) => s === 'NotSupported')) return { status: 'NotSupported' };
    return { status: refused, statusInfo: info('Refused', `${statuses.filter((s) => s !== ok).length} of ${chargers.length} chargers refused or did not answer`) };
  };

  const setVariableMonitoring = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const items = (Array.isArray(p.setMonitoringData) ? p.setMonitoringData : []) as Record<string, unknown>[];
    const results: (Record<string, unknown> | undefined)[] = items.map(() => undefined);
    const groups = new Map<string, { charger: ChargerRef; indexes: number[]; data: Record<string, unknown>[] }>();
    const refuse = (i: number, reasonCode: string, text: string): void => {
      const it = items[i] ?? {};
      results[i] = { ...(it.id !== undefined ? { id: it.id } : {}), status: 'Rejected', statusInfo: info(reasonCode, text), type: it.type, severity: it.severity, component: it.component, variable: it.variable };
    };
    items.forEach((item, i) => {
      const down = componentDown(ctx, item.component);
      let charger = down.target?.charger;
      let chargerId: number | undefined;
      if (typeof item.id === 'number') {
        const m = ids.find((x) => x.id === item.id);
        if (!m) return refuse(i, 'UnknownMonitorId', `monitor ${item.id} is not known`);
        chargerId = m.chargerId;
        const version = ctx.versionOf(m.stationId);
        charger = version ? { stationId: m.stationId, version } : undefined;
      }
      if (!down.target && chargerId === undefined) return refuse(i, 'NoEvse', 'the hub monitors components of an EVSE only');
      if (!charger) return refuse(i, 'Unspecified', 'charger not connected');
      if (!is2x(charger)) return refuse(i, 'UnsupportedRequest', 'an OCPP 1.6 charger has no monitoring');
      const group = groups.get(charger.stationId) ?? { charger, indexes: [], data: [] };
      group.indexes.push(i);
      group.data.push({ ...item, component: down.component, ...(chargerId !== undefined ? { id: chargerId } : {}) });
      groups.set(charger.stationId, group);
    });
    const list = [...groups.values()];
    const answers = await callAll(ctx, list.map((g) => ({ charger: g.charger, action: 'SetVariableMonitoring', payload: { setMonitoringData: g.data } })), signal);
    list.forEach((g, k) => {
      const got = answers[k]?.setMonitoringResult;
      g.indexes.forEach((i, j) => {
        const r: unknown = Array.isArray(got) ? got[j] : undefined;
        const item = items[i] ?? {};
        if (!isRecord(r)) return refuse(i, 'Unspecified', 'charger did not answer');
        const id = typeof r.id === 'number' ? upstreamId(g.charger.stationId, r.id) : undefined;
        results[i] = { ...r, ...(id !== undefined ? { id } : {}), component: item.component, variable: item.variable };
      });
    });
    return { setMonitoringResult: results };
  };

  const getMonitoringReport = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const requestId = Number(p.requestId);
    const criteria = Array.isArray(p.componentVariable) ? (p.componentVariable as Record<string, unknown>[]) : undefined;
    const perCharger = new Map<string, { charger: ChargerRef; items: Record<string, unknown>[] | undefined }>();
    const all = ctx.connected().filter(is2x);
    if (!criteria) for (const c of all) perCharger.set(c.stationId, { charger: c, items: undefined });
    for (const cv of criteria ?? []) {
      const down = componentDown(ctx, cv.component);
      const targets = down.target ? (down.target.charger && is2x(down.target.charger) ? [down.target.charger] : []) : all;
      for (const charger of targets) {
        const g = perCharger.get(charger.stationId) ?? { charger, items: [] };
        g.items?.push({ ...cv, component: down.component });
        perCharger.set(charger.stationId, g);
      }
    }
    const list = [...perCharger.values()];
    if (list.length === 0) return { status: 'EmptyResultSet' };
    const payloadOf = (items: Record<string, unknown>[] | undefined): object => {
      const { componentVariable: _cv, ...rest } = p;
      return items ? { ...rest, componentVariable: items } : rest;
    };
    const stream = new ReportStream(requestId, list.map((g) => g.charger.stationId));
    streams.set(requestId, stream);
    const statuses = (await callAll(ctx, list.map((g) => ({ charger: g.charger, action: 'GetMonitoringReport', payload: payloadOf(g.items) })), signal)).map(statusOf);
    list.forEach((g, i) => statuses[i] !== 'Accepted' && stream.drop(g.charger.stationId));
    if (statuses.includes('Accepted')) {
      closeWhenLate(ctx, stream, 'NotifyMonitoringReport', (step) => ({ requestId, seqNo: step.seqNo, generatedAt: isoNow(ctx) }), () => streams.get(requestId) === stream && streams.delete(requestId));
      return { status: 'Accepted' };
    }
    if (streams.get(requestId) === stream) streams.delete(requestId);
    if (statuses.every((s) => s === 'EmptyResultSet')) return { status: 'EmptyResultSet' };
    if (statuses.every((s) => s === 'NotSupported')) return { status: 'NotSupported' };
    return { status: 'Rejected', statusInfo: info('Refused', 'no charger will report') };
  };

  const notifyMonitoringReport = (call: ChargerCall): object | undefined => {
    const requestId = Number(call.payload.requestId);
    const stream = streams.get(requestId);
    if (!stream?.has(call.stationId)) return undefined;
    const monitor = (Array.isArray(call.payload.monitor) ? call.payload.monitor : []).filter(isRecord).map((m) => ({
      ...m,
      component: componentUp(ctx, call.stationId, m.component),
      variableMonitoring: (Array.isArray(m.variableMonitoring) ? m.variableMonitoring : []).filter(isRecord).map((v) => ({ ...v, id: upstreamId(call.stationId, Number(v.id)) })),
    }));
    const generatedAt = typeof call.payload.generatedAt === 'string' ? call.payload.generatedAt : isoNow(ctx);
    ctx.notify('NotifyMonitoringReport', () => {
      const step = stream.next(call.stationId, call.payload.tbc === true);
      if (!step) return undefined;
      if (stream.done && streams.get(requestId) === stream) streams.delete(requestId);
      return { requestId, seqNo: step.seqNo, generatedAt, ...(step.tbc ? { tbc: true } : {}), ...(monitor.length > 0 ? { monitor } : {}) };
    });
    return {};
  };

  const clearVariableMonitoring = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const wanted = (Array.isArray(p.id) ? p.id : []).map(Number);
    const results = new Map<number, object>();
    const groups = new Map<string, { charger: ChargerRef; ids: MonitorId[] }>();
    for (const id of wanted) {
      const m = ids.find((x) => x.id === id);
      const version = m ? ctx.versionOf(m.stationId) : undefined;
      if (!m) results.set(id, { id, status: 'NotFound' });
      else if (!version) results.set(id, { id, status: 'Rejected', statusInfo: info('Unspecified', 'charger not connected') });
      else {
        const g = groups.get(m.stationId) ?? { charger: { stationId: m.stationId, version }, ids: [] };
        g.ids.push(m);
        groups.set(m.stationId, g);
      }
    }
    const list = [...groups.values()];
    const answers = await callAll(ctx, list.map((g) => ({ charger: g.charger, action: 'ClearVariableMonitoring', payload: { id: g.ids.map((m) => m.chargerId) } })), signal);
    list.forEach((g, k) => {
      const got = Array.isArray(answers[k]?.clearMonitoringResult) ? (answers[k]?.clearMonitoringResult as unknown[]).filter(isRecord) : [];
      for (const m of g.ids) {
        const r = got.find((x) => x.id === m.chargerId);
        const status = typeof r?.status === 'string' ? r.status : 'Rejected';
        results.set(m.id, { id: m.id, status, ...(r ? {} : { statusInfo: info('Unspecified', 'charger did not answer') }) });
        if (status === 'Accepted' || status === 'NotFound') ids = ids.filter((x) => x.id !== m.id);
      }
    });
    save();
    return { clearMonitoringResult: wanted.map((id) => results.get(id) ?? { id, status: 'NotFound' }) };
  };

  return {
    name: 'monitoring',
    csms: {
      SetMonitoringBase: (_c, p, signal) => fanOut('SetMonitoringBase', p, signal, { status: 'NotSupported', statusInfo: info('NoMonitoring', 'no charger with monitoring') }, 'Accepted', 'Rejected'),
      SetMonitoringLevel: (_c, p, signal) => fanOut('SetMonitoringLevel', p, signal, { status: 'Rejected', statusInfo: info('NoMonitoring', 'no charger with monitoring') }, 'Accepted', 'Rejected'),
      SetVariableMonitoring: (_c, p, signal) => setVariableMonitoring(p, signal),
      GetMonitoringReport: (_c, p, signal) => getMonitoringReport(p, signal),
      ClearVariableMonitoring: (_c, p, signal) => clearVariableMonitoring(p, signal),
    },
    charger: { NotifyMonitoringReport: (_c, call) => notifyMonitoringReport(call) },
  };
}
