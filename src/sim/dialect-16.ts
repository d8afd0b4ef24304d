/** OCPP 1.6J behaviour of a simulated station (connector N = EVSE N). */
import { isoTime } from '../util/clock.js';
import type { ChargerCore, Dialect, HandleFn, TriggerableMessage } from './dialect.js';
import { profileFrom16, purposeFrom16 } from './profile-wire.js';
import { sampledValuesOf, type MeterSample, type PendingStart, type SampledValueOf, type StopReason } from './sim-evse.js';
import { SETTINGS, settingBy16Key } from './sim-settings.js';
import type {
  ChangeAvailability16,
  ClearChargingProfile16,
  GetCompositeSchedule16,
  IdTagInfo16,
  RemoteStart16,
  SetChargingProfile16,
  TriggerMessage16,
} from './wire-16.js';

export interface Dialect16Options {
  vendor: string;
  model: string;
  serialNumber?: string;
  firmwareVersion: string;
}

function sampledValues(s: MeterSample, context: string): object[] {
  const v: SampledValueOf = (value, measurand, unit, extra = {}) => ({
    value: value.toFixed(unit === 'Percent' ? 1 : 2),
    context,
    format: 'Raw',
    measurand,
    unit,
    ...extra,
  });
  return sampledValuesOf(s, v);
}

function idTagStatus(res: Record<string, unknown>): string {
  const info = res['idTagInfo'] as IdTagInfo16 | undefined;
  return info?.status ?? 'Invalid';
}

const REASON_16: Record<StopReason, string> = {
  Local: 'Local',
  Remote: 'Remote',
  EVDisconnected: 'EVDisconnected',
  DeAuthorized: 'DeAuthorized',
  HardReset: 'HardReset',
  SoftReset: 'SoftReset',
};

export function createDialect16(opts: Dialect16Options): Dialect {
  return {
    heartbeatWhenBusy: true,

    bootRequest: () => ({
      chargePointVendor: opts.vendor,
      chargePointModel: opts.model,
      ...(opts.serialNumber ? { chargePointSerialNumber: opts.serialNumber } : {}),
      firmwareVersion: opts.firmwareVersion,
    }),

    wireStatus(evse) {
      if (evse.tx) {
        const cs = evse.chargingState();
        return cs === 'Charging' ? 'Charging' : cs === 'SuspendedEV' ? 'SuspendedEV' : 'SuspendedEVSE';
      }
      if (!evse.operative) return 'Unavailable';
      if (!evse.ev) return 'Available';
      return evse.finishing ? 'Finishing' : 'Preparing';
    },

    stationStatusRequests: (nowMs) => [{ connectorId: 0, errorCode: 'NoError', status: 'Available', timestamp: isoTime(nowMs) }],

    statusRequest: (evse, status, nowMs) => ({ connectorId: evse.evseId, errorCode: 'NoError', status, timestamp: isoTime(nowMs) }),

    async authorize(core, idTag) {
      return idTagStatus(await core.call('Authorize', { idTag }));
    },

    async startTransaction(core, evse, start) {
      core.settle(evse);
      const meterStartWh = Math.round(evse.energyRegisterWh);
      const nowMs = core.clock.nowMs();
      const res = await core.call('StartTransaction', {
        connectorId: evse.evseId,
        idTag: start.idTag,
        meterStart: meterStartWh,
        timestamp: isoTime(nowMs),
      });
      core.settle(evse);
      evse.tx = { id: String(res['transactionId']), idTag: start.idTag, startedMs: nowMs, meterStartWh, seqNo: 1 };
      return idTagStatus(res) === 'Accepted';
    },

    async meterValues(core, evse, triggered) {
      core.settle(evse);
      const s = evse.sample(core.clock.nowMs());
      await core.call('MeterValues', {
        connectorId: evse.evseId,
        ...(evse.tx ? { transactionId: Number(evse.tx.id) } : {}),
        meterValue: [{ timestamp: isoTime(s.timeMs), sampledValue: sampledValues(s, triggered ? 'Trigger' : 'Sample.Periodic') }],
      });
    },

    // 1.6 reports charging-state changes through StatusNotification alone.
    chargingStateChanged: async () => undefined,

    async stopTransaction(core, evse, reason) {
      const tx = evse.tx;
      if (!tx) return;
      core.settle(evse);
      const s = evse.sample(core.clock.nowMs());
      await core.call('StopTransaction', {
        transactionId: Number(tx.id),
        idTag: tx.idTag,
        meterStop: Math.round(s.energyWh),
        timestamp: isoTime(s.timeMs),
        reason: REASON_16[reason],
        transactionData: [{ timestamp: isoTime(s.timeMs), sampledValue: sampledValues(s, 'Transaction.End') }],
      });
    },

    registerHandlers(core, handle) {
      registerHandlers16(core, handle);
    },
  };
}

function registerHandlers16(core: ChargerCore, handle: HandleFn): void {
  handle<SetChargingProfile16>('SetChargingProfile', (req) => {
    const cp = req.csChargingProfiles;
    const evseOk = req.connectorId === 0 || core.evse(req.connectorId) !== undefined;
    const purpose = purposeFrom16(cp.chargingProfilePurpose);
    const shapeOk =
      evseOk &&
      (purpose !== 'TxProfile' || req.connectorId !== 0) &&
      (purpose !== 'ChargingStationMaxProfile' || req.connectorId === 0);
    if (!shapeOk) return { status: 'Rejected' };
    return { status: core.installProfile(profileFrom16(cp, req.connectorId, core.clock.nowMs())) };
  });

  handle<ClearChargingProfile16>('ClearChargingProfile', (req) => {
    const removed = core.clearProfiles({
      id: req.id,
      evseId: req.connectorId,
      purpose: req.chargingProfilePurpose && purposeFrom16(req.chargingProfilePurpose),
      stackLevel: req.stackLevel,
    });
    return { status: removed > 0 ? 'Accepted' : 'Unknown' };
  });

  handle<GetCompositeSchedule16>('GetCompositeSchedule', (req) => {
    const c = core.composite(req.connectorId, req.duration, req.chargingRateUnit ?? 'A');
    if (!c) return { status: 'Rejected' };
    return {
      status: 'Accepted',
      connectorId: req.connectorId,
      scheduleStart: isoTime(c.startMs),
      chargingSchedule: {
        duration: req.duration,
        startSchedule: isoTime(c.startMs),
        chargingRateUnit: req.chargingRateUnit ?? 'A',
        chargingSchedulePeriod: c.periods.map((p) => ({ startPeriod: p.startPeriodS, limit: p.limit, numberPhases: p.numberPhases })),
      },
    };
  });

  handle<RemoteStart16>('RemoteStartTransaction', (req) => {
    const start: PendingStart = { idTag: req.idTag };
    if (req.chargingProfile) {
      if (req.chargingProfile.chargingProfilePurpose !== 'TxProfile') return { status: 'Rejected' };
      start.profile = profileFrom16(req.chargingProfile, req.connectorId ?? 0, core.clock.nowMs());
    }
    return { status: core.remoteStart(req.connectorId, start) ? 'Accepted' : 'Rejected' };
  });

  handle<{ transactionId: number }>('RemoteStopTransaction', (params) => ({
    status: core.remoteStop(String(params.transactionId)) ? 'Accepted' : 'Rejected',
  }));

  handle<{ type: string }>('Reset', (params) => {
    core.reset(params.type === 'Hard');
    return { status: 'Accepted' };
  });

  handle<ChangeAvailability16>('ChangeAvailability', (req) => {
    return { status: core.changeAvailability(req.connectorId, req.type === 'Operative') };
  });

  handle<TriggerMessage16>('TriggerMessage', (req) => {
    const known: TriggerableMessage[] = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues'];
    const what = known.find((k) => k === req.requestedMessage);
    if (!what) return { status: 'NotImplemented' };
    return { status: core.trigger(what, req.connectorId) ? 'Accepted' : 'Rejected' };
  });

  handle<{ key?: string[] }>('GetConfiguration', (params) => {
    const keys = params.key ?? SETTINGS.map((d) => d.key16);
    const configurationKey = [];
    const unknownKey = [];
    for (const key of keys) {
      const def = settingBy16Key(key);
      if (def) configurationKey.push({ key, readonly: !def.set, value: def.get(core.settings) });
      else unknownKey.push(key);
    }
    return { configurationKey, ...(unknownKey.length ? { unknownKey } : {}) };
  });

  handle<{ key: string; value: string }>('ChangeConfiguration', (params) => {
    const def = settingBy16Key(params.key);
    if (!def) return { status: 'NotSupported' };
    if (!def.set) return { status: 'Rejected' };
    return { status: def.set(core.settings, params.value) ? 'Accepted' : 'Rejected' };
  });
}
