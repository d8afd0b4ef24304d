/**
 * GetLog (2.0.1 N01): every connected charger that can upload that log gets the request (2.x:
 * GetLog with the CSMS's requestId; 1.6: GetDiagnostics for a DiagnosticsLog, with the time
 * window; a 1.6 charger has no SecurityLog). Each uploads its own file to the CSMS's
 * remoteLocation. The answer: Accepted when at least one charger will upload (AcceptedCanceled
 * when one cancelled an upload in progress), the filename when exactly one named it; Rejected
 * when none can.
 *
 * The chargers' LogStatusNotification / DiagnosticsStatusNotification become ONE stream for the
 * CSMS's requestId: Uploading once the first starts, then Uploaded when every participant has
 * uploaded, or the first failure once all have finished.
 */
import type { BlockContext, ChargerRef, HubBlock } from './block-types.js';
import { callAll, info, isRecord, statusOf } from './targets.js';

interface LogRequest {
  requestId: number;
  /** stationId -> latest 2.x log status (undefined: none yet). */
  chargers: Record<string, string | undefined>;
  lastSent?: string;
}

const DIAGNOSTICS_TO_LOG: Record<string, string> = { Idle: 'Idle', Uploaded: 'Uploaded', UploadFailed: 'UploadFailure', Uploading: 'Uploading' };
const FAILED = new Set(['UploadFailure', 'BadMessage', 'PermissionDenied', 'NotSupportedOperation']);

/** The one status the CSMS should see now for the participants' statuses; undefined for none yet. */
export function aggregateLogStatus(statuses: readonly (string | undefined)[]): string | undefined {
  const done = statuses.every((s) => s === 'Uploaded' || (s !== undefined && FAILED.has(s)));
  if (done) return statuses.find((s) => s !== undefined && FAILED.has(s)) ?? 'Uploaded';
  if (statuses.some((s) => s === 'Uploading' || s === 'Uploaded')) return 'Uploading';
  return undefined;
}

function requestFor(charger: ChargerRef, p: Record<string, unknown>): object | undefined {
  if (charger.version !== '1.6') return p;
  if (p.logType !== 'DiagnosticsLog') return undefined;
  const log = isRecord(p.log) ? p.log : {};
  return {
    location: log.remoteLocation,
    ...(p.retries !== undefined ? { retries: p.retries } : {}),
    ...(p.retryInterval !== undefined ? { retryInterval: p.retryInterval } : {}),
    ...(log.oldestTimestamp !== undefined ? { startTime: log.oldestTimestamp } : {}),
    ...(log.latestTimestamp !== undefined ? { stopTime: log.latestTimestamp } : {}),
  };
}

export function logsBlock(ctx: BlockContext): HubBlock {
  let current: LogRequest | undefined;

  const step = (stationId: string, status: string): boolean => {
    const req = current;
    if (!req || !(stationId in req.chargers)) return false;
    ctx.notify('LogStatusNotification', () => {
      if (!(stationId in req.chargers)) return undefined;
      req.chargers[stationId] = status;
      const agg = aggregateLogStatus(Object.values(req.chargers));
      if (agg !== undefined && (agg === 'Uploaded' || FAILED.has(agg)) && current === req) current = undefined;
      if (agg === undefined || agg === req.lastSent) return undefined;
      req.lastSent = agg;
      return { status: agg, requestId: req.requestId };
    });
    return true;
  };

  const getLog = async (p: Record<string, unknown>, signal: AbortSignal): Promise<object> => {
    const calls = ctx.connected().flatMap((charger) => {
      const payload = requestFor(charger, p);
      return payload ? [{ charger, action: charger.version === '1.6' ? 'GetDiagnostics' : 'GetLog', payload }] : [];
    });
    if (calls.length === 0) return { status: 'Rejected', statusInfo: info('NoCharger', 'no connected charger can upload this log') };
    const req: LogRequest = { requestId: Number(p.requestId), chargers: Object.fromEntries(calls.map((c) => [c.charger.stationId, undefined])) };
    current = req;
    const results = await callAll(ctx, calls, signal);
    const accepted: { stationId: string; filename?: string }[] = [];
    let canceled = false;
    results.forEach((r, i) => {
      const call = calls[i];
      if (!call || !r) return;
      if (call.charger.version === '1.6') {
        // GetDiagnostics has no status: a fileName means a file will be uploaded.
        if (typeof r.fileName === 'string') accepted.push({ stationId: call.charger.stationId, filename: r.fileName });
        return;
      }
      const s = statusOf(r);
      if (s === 'AcceptedCanceled') canceled = true;
      if (s === 'Accepted' || s === 'AcceptedCanceled') accepted.push({ stationId: call.charger.stationId, ...(typeof r.filename === 'string' ? { filename: r.filename } : {}) });
    });
    for (const c of calls) if (!accepted.some((a) => a.stationId === c.charger.stationId)) delete req.chargers[c.charger.stationId];
    if (accepted.length === 0) {
      if (current === req) current = undefined;
      return { status: 'Rejected', statusInfo: info('Refused', 'no charger took the log request') };
    }
    const only = accepted.length === 1 ? accepted[0]?.filename : undefined;
    return { status: canceled ? 'AcceptedCanceled' : 'Accepted', ...(only !== undefined ? { filename: only.slice(0, 255) } : {}) };
  };

  return {
    name: 'logs',
    csms: { GetLog: (_c, p, signal) => getLog(p, signal) },
    charger: {
      LogStatusNotification: (_c, call) => (call.payload.requestId !== undefined && step(call.stationId, String(call.payload.status)) ? {} : undefined),
      DiagnosticsStatusNotification: (_c, call) => (step(call.stationId, DIAGNOSTICS_TO_LOG[String(call.payload.status)] ?? 'Idle') ? {} : undefined),
    },
  };
}
