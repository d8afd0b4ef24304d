import type { RPCClient } from 'ocpp-rpc';
import { boot16, boot2x, type Harness } from '../../helpers/hub-harness.js';
import { charger } from './hub-site.js';

/** What one strict charger received from the hub, with a way to wait for it. */
export class Inbox {
  readonly calls: Array<[string, Record<string, unknown>]> = [];
  private readonly waiters = new Set<() => void>();

  push(action: string, params: Record<string, unknown>): void {
    this.calls.push([action, params]);
    for (const w of [...this.waiters]) w();
  }

  of(action: string): Record<string, unknown>[] {
    return this.calls.filter(([a]) => a === action).map(([, p]) => p);
  }

  until(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (pred()) return resolve();
      const w = (): void => {
        if (!pred()) return;
        this.waiters.delete(w);
        resolve();
      };
      this.waiters.add(w);
    });
  }
}

type Params = Record<string, unknown>;
export type Answer = (action: string, params: Params) => Params | Promise<Params>;

/** What a well-behaved charger answers, per version and action (schema-valid for both). */
export function wellBehaved(version: '1.6' | '2.0.1'): Answer {
  return (action, params) => {
    switch (action) {
      case 'GetLocalListVersion':
        return version === '1.6' ? { listVersion: 0 } : { versionNumber: 0 };
      case 'GetDiagnostics':
        return { fileName: 'cp16-diagnostics.zip' };
      case 'GetLog':
        return { status: 'Accepted', filename: 'cp201.log' };
      case 'UpdateFirmware':
        return version === '1.6' ? {} : { status: 'Accepted' };
      case 'SetVariableMonitoring':
        return {
          setMonitoringResult: (params.setMonitoringData as Params[]).map((d, i) => ({ id: 100 + i, status: 'Accepted', type: d.type, severity: d.severity, component: d.component, variable: d.variable })),
        };
      case 'ClearVariableMonitoring':
        return { clearMonitoringResult: (params.id as number[]).map((id) => ({ id, status: 'Accepted' })) };
      case 'ClearDisplayMessage':
        return { status: 'Accepted' };
      case 'GetInstalledCertificateIds':
      case 'DeleteCertificate':
        return { status: 'NotFound' };
      case 'CostUpdated':
        return {};
      case 'DataTransfer':
        return { status: 'Accepted', data: `ok ${String(params.messageId ?? '')}` };
      default:
        return { status: 'Accepted' };
    }
  };
}

/** A booted strict charger whose calls land in `inbox`. */
export async function bootedCharger(h: Harness, id: string, version: '1.6' | '2.0.1', inbox: Inbox, answer: Answer = wellBehaved(version)): Promise<RPCClient> {
  const c = await charger(h, id, version, [], async (action, params) => {
    inbox.push(action, params as Params);
    return answer(action, params as Params);
  });
  await c.call('BootNotification', version === '1.6' ? boot16 : boot2x);
  return c;
}

/** Statuses that make both chargers' connectors known and Available upstream. */
export async function reportAvailable(c16: RPCClient, c201: RPCClient): Promise<void> {
  const ts = new Date().toISOString();
  await c16.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: ts });
  await c201.call('StatusNotification', { timestamp: ts, connectorStatus: 'Available', evseId: 1, connectorId: 1 });
}
