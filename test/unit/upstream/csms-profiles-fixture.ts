import { expect } from 'vitest';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import type { Store } from '../../../src/store/store.js';
import type { EvseModel } from '../../../src/energy/site-model.js';
import type { RunningTransaction, TimedLimit } from '../../../src/energy/composite/index.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';
import { validatePayload } from '../../../src/ocpp/schema-validator.js';
import { CsmsProfiles, type CsmsProfileAction } from '../../../src/upstream/csms-profiles.js';
import { proxyScope, type ProfileScope } from '../../../src/upstream/csms-profiles-scope.js';

export const T0 = Date.parse('2025-03-03T08:00:00.000Z');

export function anEvse(key: string, overrides: Partial<EvseModel> = {}): EvseModel {
  return {
    key, circuitId: 'main', phases: 3, phaseRotation: ['L1', 'L2', 'L3'], minCurrentA: 6, maxCurrentA: 16,
    priority: 1, voltageV: 230, bidirectional: false, ...overrides,
  };
}

export interface Sent {
  action: string;
  payload: Record<string, unknown>;
}

/** A CsmsProfiles on a real SQLite store, with the world it looks at as plain, editable data. */
export function fixture(store: Store, evses: EvseModel[] = [anEvse('CP1/1'), anEvse('CP1/2')]) {
  const clock = new FakeClock(T0);
  const transactions = new Map<string, RunningTransaction>();
  const localLimits = new Map<string, TimedLimit[]>();
  /** EVSE keys whose charger refused the hub's profiles. */
  const uncontrollable = new Set<string>();
  const changes: string[] = [];
  const sent: Sent[] = [];
  const profiles = new CsmsProfiles({
    store,
    clock,
    log: silentLogger(),
    evses: () => evses,
    activeTransactionOf: (stationId, evseId) => transactions.get(`${stationId}/${evseId}`),
    sessionLimitsOf: (key) => localLimits.get(key) ?? [],
    controllable: (key) => !uncontrollable.has(key),
    onChange: (stationId) => changes.push(stationId),
  });
  /** A link in `version` to the CSMS that checks what it is sent against the schema. */
  const sendIn = (version: OcppVersion) => (action: string, payload: unknown): Promise<unknown> => {
    const err = validatePayload(version, action, 'req', payload);
    if (err) return Promise.reject(err);
    sent.push({ action, payload: payload as Record<string, unknown> });
    return Promise.resolve({});
  };
  const proxy = (version: OcppVersion, csmsToHub: Record<number, number> = {}): ProfileScope => {
    return proxyScope({
      stationId: 'CP1',
      version,
      hasEvse: (s, e) => profiles.hasEvse(s, e),
      hubTransactionIdOf: (_s, id) => csmsToHub[id],
      csmsTransactionIdOf: (_s, id) => Object.entries(csmsToHub).map(([c, h]) => [Number(c), h]).find(([, h]) => h === id)?.[0],
      send: sendIn(version),
    });
  };
  /** Answers a call and checks the answer against the official schema of the scope's version. */
  const call = async (scope: ProfileScope, action: CsmsProfileAction, payload: unknown): Promise<Record<string, unknown>> => {
    const answer = await profiles.handle(scope, action, payload);
    expect(validatePayload(scope.version, action, 'conf', answer)).toBeUndefined();
    return answer;
  };
  return { clock, transactions, localLimits, uncontrollable, changes, sent, profiles, proxy, call, sendIn };
}

export const txDefault16 = (id: number, limitA: number, extra: Record<string, unknown> = {}) => ({
  chargingProfileId: id,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: { startSchedule: new Date(T0).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] },
  ...extra,
});

export const profile2x = (id: number, limitA: number, extra: Record<string, unknown> = {}) => ({
  id,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: [{ id: 1, startSchedule: new Date(T0).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] }],
  ...extra,
});
