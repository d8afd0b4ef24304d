/** OCPP 2.0.1 / 2.1 behaviour of a simulated station (one connector per EVSE). */
import { randomUUID } from 'node:crypto';
import { isoTime } from '../util/clock.js';
import type { ChargerCore, Dialect, HandleFn, TransactionTrigger, TriggerableMessage } from './dialect.js';
import { profileFrom2x, purposeFrom2x } from './profile-wire.js';
import { sampledValuesOf, type ChargingState, type MeterSample, type PendingStart, type SampledValueOf, type SimEvse, type SimTransaction, type StopReason } from './sim-evse.js';
import { knownComponent, settingByVariable } from './sim-settings.js';
import type {
  ChangeAvailability2x,
  ClearChargingProfile2x,
  GetCompositeSchedule2x,
  GetVariables2x,
  RequestStart2x,
  SetChargingProfile2x,
  SetVariables2x,
  TriggerMessage2x,
} from './wire-2x.js';

export interface Dialect2xOptions {
  vendor: string;
  model: string;
  serialNumber?: string;
  firmwareVersion: string;
  /** Type of the id tokens the station reads (default ISO14443). */
  idTokenType?: string;
}

function sampledValues(s: MeterSample, context: string): object[] {
  const v: SampledValueOf = (value, measurand, unit, extra = {}) => ({
    value: Math.round(value * 100) / 100,
    context,
    measurand,
    unitOfMeasure: { unit },
    ...extra,
  });
  return sampledValuesOf(s, v);
}

function energyOnly(s: MeterSample, context: string): object[] {
  return [{ value: Math.round(s.energyWh * 100) / 100, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }];
}

const STOP_2X: Record<StopReason, { triggerReason: string; stoppedReason: string }> = {
  Local: { triggerReason: 'StopAuthorized', stoppedReason: 'Local' },
  Remote: { triggerReason: 'RemoteStop', stoppedReason: 'Remote' },
  EVDisconnected: { triggerReason: 'EVDeparted', stoppedReason: 'EVDisconnected' },
  DeAuthorized: { triggerReason: 'Deauthorized', stoppedReason: 'DeAuthorized' },
  HardReset: { triggerReason: 'ResetCommand', stoppedReason: 'ImmediateReset' },
  SoftReset: { triggerReason: 'ResetCommand', stoppedReason: 'Reboot' },
};

function idTokenStatus(res: Record<string, unknown>): string | undefined {
  const info = res['idTokenInfo'] as { status: string } | undefined;
  return info?.status;
}

export function createDialect2x(opts: Dialect2xOptions): Dialect {
  const idToken = (idTag: string): object => ({ idToken: idTag, type: opts.idTokenType ?? 'ISO14443' });

  const transactionEvent = async (
    core: ChargerCore,
    evse: SimEvse,
    tx: SimTransaction,
    eventType: 'Started' | 'Updated' | 'Ended',
    triggerReason: string,
    chargingState: ChargingState,
    meterValue: object[],
    extra: { stoppedReason?: string; idTag?: string; remoteStartId?: number } = {},
  ): Promise<Record<string, unknown>> => {
    const seqNo = tx.seqNo++;
    return core.call('TransactionEvent', {
      eventType,
      timestamp: isoTime(core.clock.nowMs()),
      triggerReason,
      seqNo,
      transactionInfo: {
        transactionId: tx.id,
        chargingState,
        ...(extra.stoppedReason ? { stoppedReason: extra.stoppedReason } : {}),
        ...(extra.remoteStartId !== undefined ? { remoteStartId: extra.remoteStartId } : {}),
      },
      ...(extra.idTag ? { idToken: idToken(extra.idTag) } : {}),
      evse: { id: evse.evseId, connectorId: 1 },
      ...(meterValue.length ? { meterValue } : {}),
    });
  };

  return {
    heartbeatWhenBusy: false,

    bootRequest: (reboot) => ({
      reason: reboot ? 'RemoteReset' : 'PowerUp',
      chargingStation: {
        model: opts.model,
        vendorName: opts.vendor,
        ...(opts.serialNumber ? { serialNumber: opts.serialNumber } : {}),
        firmwareVersion: opts.firmwareVersion,
      },
    }),

    wireStatus(evse) {
      if (evse.ev) return 'Occupied';
      return evse.operative ? 'Available' : 'Unavailable';
    },

    stationStatusRequests: () => [],

    statusRequest: (evse, status, nowMs) => ({ timestamp: isoTime(nowMs), connectorStatus: status, evseId: evse.evseId, connectorId: 1 }),

    async authorize(core, idTag) {
      return idTokenStatus(await core.call('Authorize', { idToken: idToken(idTag) })) ?? 'Invalid';
    },

    async startTransaction(core, evse, start, trigger: TransactionTrigger) {
      core.settle(evse);
      const nowMs = core.clock.nowMs();
      const tx: SimTransaction = {
        id: randomUUID(),
        idTag: start.idTag,
        startedMs: nowMs,
        meterStartWh: evse.energyRegisterWh,
        seqNo: 0,
        remoteStartId: start.remoteStartId,
      };
      const s = evse.sample(nowMs);
      const res = await transactionEvent(core, evse, tx, 'Started', trigger, 'EVConnected', [
        { timestamp: isoTime(nowMs), sampledValue: energyOnly(s, 'Transaction.Begin') },
      ], { idTag: start.idTag, remoteStartId: start.remoteStartId });
      evse.tx = tx;
      const status = idTokenStatus(res);
      return status === undefined || status === 'Accepted';
    },

    async meterValues(core, evse, triggered) {
      core.settle(evse);
      const s = evse.sample(core.clock.nowMs());
      const meterValue = [{ timestamp: isoTime(s.timeMs), sampledValue: sampledValues(s, triggered ? 'Trigger' : 'Sample.Periodic') }];
      if (!evse.tx) {
        await core.call('MeterValues', { evseId: evse.evseId, meterValue });
        return;
      }
      await transactionEvent(core, evse, evse.tx, 'Updated', triggered ? 'Trigger' : 'MeterValuePeriodic', evse.chargingState(), meterValue);
    },

    async chargingStateChanged(core, evse) {
      if (!evse.tx) return;
      await transactionEvent(core, evse, evse.tx, 'Updated', 'ChargingStateChanged', evse.chargingState(), []);
    },

    async stopTransaction(core, evse, reason) {
      const tx = evse.tx;
      if (!tx) return;
      core.settle(evse);
      const s = evse.sample(core.clock.nowMs());
      const { triggerReason, stoppedReason } = STOP_2X[reason];
      const chargingState: ChargingState = evse.ev && reason !== 'EVDisconnected' ? 'EVConnected' : 'Idle';
      await transactionEvent(core, evse, tx, 'Ended', triggerReason, chargingState, [
        { timestamp: isoTime(s.timeMs), sampledValue: energyOnly(s, 'Transaction.End') },
      ], { stoppedReason });
    },

    registerHandlers(core, handle) {
      registerHandlers2x(core, handle);
    },
  };
}

function registerHandlers2x(core: ChargerCore, handle: HandleFn): void {
  handle<SetChargingProfile2x>('SetChargingProfile', (req) => {
    const profile = profileFrom2x(req.chargingProfile, req.evseId, core.clock.nowMs());
    const evseOk = req.evseId === 0 || core.evse(req.evseId) !== undefined;
    if (!profile || !evseOk) return { status: 'Rejected' };
    if (profile.purpose === 'TxProfile' && req.evseId === 0) return { status: 'Rejected' };
    if (profile.purpose === 'ChargingStationMaxProfile' && req.evseId !== 0) return { status: 'Rejected' };
    return { status: core.installProfile(profile) };
  });

  handle<ClearChargingProfile2x>('ClearChargingProfile', (req) => {
    const c = req.chargingProfileCriteria;
    const purpose = c?.chargingProfilePurpose === undefined ? undefined : purposeFrom2x(c.chargingProfilePurpose);
    const removed = core.clearProfiles({ id: req.chargingProfileId, evseId: c?.evseId, purpose, stackLevel: c?.stackLevel });
    return { status: removed > 0 ? 'Accepted' : 'Unknown' };
  });

  handle<GetCompositeSchedule2x>('GetCompositeSchedule', (req) => {
    const unit = req.chargingRateUnit ?? 'A';
    const c = core.composite(req.evseId, req.duration, unit);
    if (!c) return { status: 'Rejected' };
    return {
      status: 'Accepted',
      schedule: {
        evseId: req.evseId,
        duration: req.duration,
        scheduleStart: isoTime(c.startMs),
        chargingRateUnit: unit,
        chargingSchedulePeriod: c.periods.map((p) => ({ startPeriod: p.startPeriodS, limit: p.limit, numberPhases: p.numberPhases })),
      },
    };
  });

  handle<RequestStart2x>('RequestStartTransaction', (req) => {
    const start: PendingStart = { idTag: req.idToken.idToken, remoteStartId: req.remoteStartId };
    if (req.chargingProfile) {
      const profile = profileFrom2x(req.chargingProfile, req.evseId ?? 0, core.clock.nowMs());
      if (profile?.purpose !== 'TxProfile') return { status: 'Rejected' };
      start.profile = profile;
    }
    return { status: core.remoteStart(req.evseId, start) ? 'Accepted' : 'Rejected' };
  });

  handle<{ transactionId: string }>('RequestStopTransaction', (req) => ({
    status: core.remoteStop(req.transactionId) ? 'Accepted' : 'Rejected',
  }));

  handle<{ type: string; evseId?: number }>('Reset', (req) => {
    if (req.evseId !== undefined) return { status: 'Rejected' };
    core.reset(req.type === 'Immediate');
    return { status: 'Accepted' };
  });

  handle<ChangeAvailability2x>('ChangeAvailability', (req) => ({
    status: core.changeAvailability(req.evse?.id ?? 0, req.operationalStatus === 'Operative'),
  }));

  handle<TriggerMessage2x>('TriggerMessage', (req) => {
    const known: TriggerableMessage[] = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues', 'TransactionEvent'];
    const what = known.find((k) => k === req.requestedMessage);
    if (!what) return { status: 'NotImplemented' };
    if (what === 'BootNotification' && core.isBootAccepted()) return { status: 'Rejected' };
    return { status: core.trigger(what, req.evse?.id) ? 'Accepted' : 'Rejected' };
  });

  handle<GetVariables2x>('GetVariables', (req) => ({
    getVariableResult: req.getVariableData.map((d) => {
      const def = settingByVariable(d.component.name, d.variable.name);
      const base = { component: d.component, variable: d.variable, attributeType: d.attributeType ?? 'Actual' };
      if (!def) return { ...base, attributeStatus: knownComponent(d.component.name) ? 'UnknownVariable' : 'UnknownComponent' };
      return { ...base, attributeStatus: 'Accepted', attributeValue: (def.get2x ?? def.get)(core.settings) };
    }),
  }));

  handle<SetVariables2x>('SetVariables', (req) => ({
    setVariableResult: req.setVariableData.map((d) => {
      const def = settingByVariable(d.component.name, d.variable.name);
      const base = { component: d.component, variable: d.variable, attributeType: d.attributeType ?? 'Actual' };
      if (!def) return { ...base, attributeStatus: knownComponent(d.component.name) ? 'UnknownVariable' : 'UnknownComponent' };
      if (!def.set) return { ...base, attributeStatus: 'Rejected' };
      return { ...base, attributeStatus: def.set(core.settings, d.attributeValue) ? 'Accepted' : 'Rejected' };
    }),
  }));
}
