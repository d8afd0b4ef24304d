import type { Logger } from '../util/logger.js';
import type { OcppVersion } from '../ocpp/versions.js';
import type { StationStateRepo } from '../store/station-state-repo.js';
import { arrayField, fields, numberField, stringField, type Fields } from './wire-fields.js';

/** Keys in station_state. */
const CONFIGURATION = 'reenroll.configuration';
const VARIABLES = 'reenroll.variables';
const AVAILABILITY = 'reenroll.availability';
const LOCAL_LIST = 'reenroll.localList';

/** What a station was given by the CSMS and keeps across its reboots, as the hub remembers it. */
export interface ReEnrollState {
  /** 1.6 ChangeConfiguration: key -> value. */
  configuration: Record<string, string>;
  /** 2.x SetVariables: one SetVariableData per component/variable/attribute. */
  variables: Record<string, Fields>;
  /** ChangeAvailability requests by scope ('station', '1', '1:2'), oldest scope first. */
  availability: Record<string, Fields>;
  /** The local authorization list as last installed: version and entries by id token. */
  localList?: { version: number; entries: Record<string, Fields> };
}

export type StationCall = (action: string, payload: unknown) => Promise<unknown>;

/**
 * ReEnroll: low-cost stations forget what the CSMS told them when they reboot. The hub records
 * every change the station accepted (configuration keys / variables, availability, local list)
 * and sends it again after the station's next accepted boot. Charging profiles are restored by
 * the dispatcher, not here.
 */
export class ReEnroll {
  constructor(private readonly deps: { state: StationStateRepo; log: Logger }) {}

  /** Records an accepted CSMS -> station call (request and the station's answer). */
  record(stationId: string, version: OcppVersion, action: string, request: unknown, result: unknown): void {
    const status = stringField(result, 'status');
    switch (action) {
      case 'ChangeConfiguration': {
        if (status !== 'Accepted' && status !== 'RebootRequired') return;
        const key = stringField(request, 'key');
        const value = stringField(request, 'value');
        if (key === undefined || value === undefined) return;
        this.update(stationId, CONFIGURATION, (m) => ({ ...m, [key]: value }));
        return;
      }
      case 'SetVariables': {
        const results = arrayField(result, 'setVariableResult');
        const accepted = arrayField(request, 'setVariableData').filter((d) =>
          results.some((r) => sameVariable(r, d) && ['Accepted', 'RebootRequired'].includes(stringField(r, 'attributeStatus') ?? '')),
        );
        if (accepted.length === 0) return;
        this.update(stationId, VARIABLES, (m) => {
          const next = { ...m };
          for (const d of accepted) next[variableKey(d)] = fields(d);
          return next;
        });
        return;
      }
      case 'ChangeAvailability': {
        if (status !== 'Accepted' && status !== 'Scheduled') return;
        const scope = availabilityScope(version, request);
        // A station-wide change overrides every narrower one before it.
        this.update(stationId, AVAILABILITY, (m) => (scope === 'station' ? { station: fields(request) } : { ...m, [scope]: fields(request) }));
        return;
      }
      case 'SendLocalList': {
        if (status !== 'Accepted') return;
        this.recordLocalList(stationId, version, request);
        return;
      }
      default:
        return;
    }
  }

  state(stationId: string): ReEnrollState {
    const list = fields(this.deps.state.get(stationId, LOCAL_LIST));
    const version = numberField(list, 'version');
    return {
      configuration: stringRecord(this.deps.state.get(stationId, CONFIGURATION)),
      variables: fieldsRecord(this.deps.state.get(stationId, VARIABLES)),
      availability: fieldsRecord(this.deps.state.get(stationId, AVAILABILITY)),
      ...(version !== undefined ? { localList: { version, entries: fieldsRecord(list['entries']) } } : {}),
    };
  }

  /** Sends the remembered state to a station that has just booted; failures are logged, not fatal. */
  async reapply(stationId: string, version: OcppVersion, call: StationCall): Promise<number> {
    const s = this.state(stationId);
    const calls: Array<[string, unknown]> = [];
    for (const request of Object.values(s.availability)) calls.push(['ChangeAvailability', request]);
    if (version === '1.6') {
      for (const [key, value] of Object.entries(s.configuration)) calls.push(['ChangeConfiguration', { key, value }]);
    } else if (Object.keys(s.variables).length > 0) {
      calls.push(['SetVariables', { setVariableData: Object.values(s.variables) }]);
    }
    if (s.localList) {
      const list = Object.values(s.localList.entries);
      calls.push([
        'SendLocalList',
        version === '1.6'
          ? { listVersion: s.localList.version, updateType: 'Full', ...(list.length ? { localAuthorizationList: list } : {}) }
          : { versionNumber: s.localList.version, updateType: 'Full', ...(list.length ? { localAuthorizationList: list } : {}) },
      ]);
    }
    let sent = 0;
    for (const [action, payload] of calls) {
      try {
        const result = await call(action, payload);
        sent++;
        this.deps.log.info({ stationId, action, status: stringField(result, 'status') }, 'reenroll: state re-applied');
      } catch (err) {
        this.deps.log.warn({ stationId, action, err: err instanceof Error ? err.message : String(err) }, 'reenroll: re-applying failed');
      }
    }
    return sent;
  }

  private recordLocalList(stationId: string, version: OcppVersion, request: unknown): void {
    const listVersion = numberField(request, version === '1.6' ? 'listVersion' : 'versionNumber');
    if (listVersion === undefined) return;
    const full = stringField(request, 'updateType') === 'Full';
    const before = full ? {} : this.state(stationId).localList?.entries ?? {};
    const entries: Record<string, Fields> = { ...before };
    for (const e of arrayField(request, 'localAuthorizationList')) {
      const key = version === '1.6' ? stringField(e, 'idTag') : `${stringField(fields(e)['idToken'], 'idToken')}/${stringField(fields(e)['idToken'], 'type')}`;
      if (key === undefined) continue;
      const info = fields(e)[version === '1.6' ? 'idTagInfo' : 'idTokenInfo'];
      // Differential update: an entry without info removes the token.
      if (info === undefined && !full) delete entries[key];
      else entries[key] = fields(e);
    }
    this.deps.state.set(stationId, LOCAL_LIST, { version: listVersion, entries });
  }

  private update(stationId: string, key: string, fn: (m: Fields) => Fields): void {
    this.deps.state.set(stationId, key, fn(fields(this.deps.state.get(stationId, key))));
  }
}

function variableKey(d: unknown): string {
  const c = fields(fields(d)['component']);
  const v = fields(fields(d)['variable']);
  return JSON.stringify([c['name'], c['instance'] ?? null, fields(c['evse'])['id'] ?? null, fields(c['evse'])['connectorId'] ?? null, v['name'], v['instance'] ?? null, fields(d)['attributeType'] ?? 'Actual']);
}

function sameVariable(result: unknown, data: unknown): boolean {
  return variableKey(result) === variableKey(data);
}

function availabilityScope(version: OcppVersion, request: unknown): string {
  if (version === '1.6') {
    const connectorId = numberField(request, 'connectorId') ?? 0;
    return connectorId === 0 ? 'station' : String(connectorId);
  }
  const evse = fields(request)['evse'];
  if (evse === undefined) return 'station';
  const connectorId = numberField(evse, 'connectorId');
  return connectorId === undefined ? String(numberField(evse, 'id')) : `${numberField(evse, 'id')}:${connectorId}`;
}

function stringRecord(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields(x))) if (typeof v === 'string') out[k] = v;
  return out;
}

function fieldsRecord(x: unknown): Record<string, Fields> {
  const out: Record<string, Fields> = {};
  for (const [k, v] of Object.entries(fields(x))) out[k] = fields(v);
  return out;
}
