import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimCharger, type SimChargerConfig } from '../../../src/sim/sim-charger.js';
import { FakeClock } from '../../../src/util/fake-clock.js';
import { silentLogger } from '../../../src/util/logger.js';
import { advanceUntil } from './advance.js';
import { TestCsms } from './test-csms.js';

const EV = { capacityWh: 60_000, socPct: 20, maxAcCurrentA: 16, phases: 3, efficiency: 1 };

let csms: TestCsms;
let clock: FakeClock;
let chargers: SimCharger[];

beforeEach(async () => {
  csms = new TestCsms();
  await csms.start();
  clock = new FakeClock();
  chargers = [];
});

afterEach(async () => {
  await Promise.all(chargers.map((c) => c.stop()));
  await csms.stop();
});

async function startCharger(config: Partial<SimChargerConfig> & Pick<SimChargerConfig, 'identity' | 'version'>): Promise<SimCharger> {
  const charger = new SimCharger({ endpoint: csms.endpoint, clock, log: silentLogger(), meterIntervalS: 60, ...config });
  chargers.push(charger);
  await charger.start();
  return charger;
}

/** Values of one measurand in a meter value, as numbers (1.6 sends strings). */
function measurand(sampledValue: unknown, name: string): number[] {
  const list = sampledValue as { measurand?: string; value: string | number }[];
  return list.filter((s) => s.measurand === name).map((s) => Number(s.value));
}

describe('an OCPP 1.6 simulated charger', () => {
  it('boots and reports every connector as Available', async () => {
    await startCharger({ identity: 'cp16', version: '1.6', evseCount: 2 });
    await csms.waitFor('StatusNotification', (c) => c.params['connectorId'] === 2);
    expect(csms.callsOf('BootNotification')).toHaveLength(1);
    const statuses = csms.callsOf('StatusNotification').map((c) => [c.params['connectorId'], c.params['status']]);
    expect(statuses).toEqual(expect.arrayContaining([[0, 'Available'], [1, 'Available'], [2, 'Available']]));
  });

  it('runs a transaction with the CSMS transaction id, periodic meter values and a meterStop', async () => {
    const charger = await startCharger({ identity: 'cp16', version: '1.6' });
    await charger.plugIn(1, EV);
    expect((await csms.waitFor('StatusNotification', (c) => c.params['status'] === 'Preparing')).params['connectorId']).toBe(1);
    expect(await charger.authorize(1, 'TAG-1')).toBe('Accepted');
    const start = await csms.waitFor('StartTransaction');
    expect(start.params).toMatchObject({ connectorId: 1, idTag: 'TAG-1', meterStart: 0 });
    await csms.waitFor('StatusNotification', (c) => c.params['status'] === 'Charging');

    const mv = await advanceUntil(clock, 60_000, csms, 'MeterValues');
    expect(mv.params['transactionId']).toBe(42);
    const sampled = (mv.params['meterValue'] as { sampledValue: unknown }[])[0]?.sampledValue;
    expect(measurand(sampled, 'Current.Import')).toEqual([16, 16, 16]);
    expect(measurand(sampled, 'Energy.Active.Import.Register')[0]).toBeCloseTo((16 * 230 * 3 * 60) / 3600, 1);
    expect(measurand(sampled, 'SoC')).toHaveLength(1);

    await charger.unplug(1);
    const stop = await csms.waitFor('StopTransaction');
    expect(stop.params).toMatchObject({ transactionId: 42, reason: 'EVDisconnected', meterStop: Math.round((16 * 230 * 3 * 60) / 3600) });
    await csms.waitFor('StatusNotification', (c) => c.params['status'] === 'Available' && c.params['connectorId'] === 1, 3);
  });

  it('offers the current of a TxProfile the CSMS sets', async () => {
    const charger = await startCharger({ identity: 'cp16', version: '1.6' });
    await charger.plugIn(1, EV);
    await charger.authorize(1, 'TAG-1');
    const client = await csms.client('cp16');
    const res = await client.call('SetChargingProfile', {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 7,
        transactionId: 42,
        stackLevel: 1,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
      },
    });
    expect(res).toEqual({ status: 'Accepted' });
    const evse = charger.state().evses[0];
    expect(evse?.offeredCurrentA).toBe(10);
    expect(evse?.drawnCurrentA).toBe(10);
    expect(evse?.limitSource).toBe('csms:profile 7');
  });

  it('suspends charging (SuspendedEVSE) when a profile offers less than the EV minimum', async () => {
    const charger = await startCharger({ identity: 'cp16', version: '1.6' });
    await charger.plugIn(1, EV);
    await charger.authorize(1, 'TAG-1');
    const client = await csms.client('cp16');
    await client.call('SetChargingProfile', {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'ChargePointMaxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'W', startSchedule: new Date(clock.nowMs()).toISOString(), chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }] },
      },
    });
    await csms.waitFor('StatusNotification', (c) => c.params['status'] === 'SuspendedEVSE');
    expect(charger.state().evses[0]?.drawnCurrentA).toBe(0);
  });

  it('starts a transaction on RemoteStartTransaction and stops it on RemoteStopTransaction', async () => {
    const charger = await startCharger({ identity: 'cp16', version: '1.6' });
    await charger.plugIn(1, EV);
    const client = await csms.client('cp16');
    expect(await client.call('RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE' })).toEqual({ status: 'Accepted' });
    await csms.waitFor('StartTransaction', (c) => c.params['idTag'] === 'REMOTE');
    await csms.waitFor('StatusNotification', (c) => c.params['status'] === 'Charging');
    expect(await client.call('RemoteStopTransaction', { transactionId: 42 })).toEqual({ status: 'Accepted' });
    expect((await csms.waitFor('StopTransaction')).params['reason']).toBe('Remote');
    await csms.waitFor('StatusNotification', (c) => c.params['status'] === 'Finishing');
  });

  it('retries the boot after the interval when the CSMS answers Pending', async () => {
    await csms.stop();
    let boots = 0;
    csms = new TestCsms({ bootStatus: () => (boots++ === 0 ? { status: 'Pending', interval: 20 } : { status: 'Accepted', interval: 300 }) });
    await csms.start();
    const charger = new SimCharger({ endpoint: csms.endpoint, clock, log: silentLogger(), identity: 'cp16', version: '1.6' });
    chargers.push(charger);
    const pending = new Promise<void>((resolve) => charger.onChange((s) => s.bootStatus === 'Pending' && resolve()));
    const started = charger.start();
    await pending;
    await advanceUntil(clock, 20_000, csms, 'BootNotification');
    await started;
    expect(charger.state().bootStatus).toBe('Accepted');
  });

  it('sends heartbeats at the interval from the boot response', async () => {
    await startCharger({ identity: 'cp16', version: '1.6' });
    await advanceUntil(clock, 300_000, csms, 'Heartbeat');
    expect(csms.callsOf('Heartbeat')).toHaveLength(1);
  });

  it('answers GetConfiguration and takes a new MeterValueSampleInterval', async () => {
    const charger = await startCharger({ identity: 'cp16', version: '1.6' });
    const client = await csms.client('cp16');
    expect(await client.call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' })).toEqual({ status: 'Accepted' });
    const res = (await client.call('GetConfiguration', { key: ['MeterValueSampleInterval', 'Nope'] })) as Record<string, unknown>;
    expect(res).toEqual({ configurationKey: [{ key: 'MeterValueSampleInterval', readonly: false, value: '15' }], unknownKey: ['Nope'] });
    expect(charger.state().meterIntervalS).toBe(15);
  });
});

describe('an OCPP 2.0.1 simulated charger', () => {
  it('boots and reports its EVSE as Available', async () => {
    await startCharger({ identity: 'cs201', version: '2.0.1' });
    const status = await csms.waitFor('StatusNotification');
    expect(status.params).toMatchObject({ evseId: 1, connectorId: 1, connectorStatus: 'Available' });
    expect(csms.callsOf('BootNotification')[0]?.params['reason']).toBe('PowerUp');
  });

  it('runs a transaction with its own id, increasing seqNo and periodic meter values, and ends it', async () => {
    const charger = await startCharger({ identity: 'cs201', version: '2.0.1' });
    await charger.plugIn(1, EV);
    await csms.waitFor('StatusNotification', (c) => c.params['connectorStatus'] === 'Occupied');
    expect(await charger.authorize(1, 'TAG-2')).toBe('Accepted');
    const started = await csms.waitFor('TransactionEvent', (c) => c.params['eventType'] === 'Started');
    expect(started.params).toMatchObject({ seqNo: 0, triggerReason: 'Authorized', idToken: { idToken: 'TAG-2' }, evse: { id: 1 } });
    const txId = (started.params['transactionInfo'] as { transactionId: string }).transactionId;
    expect(txId).toMatch(/^[0-9a-f-]{36}$/);

    const periodic = await advanceUntil(clock, 60_000, csms, 'TransactionEvent', (c) => c.params['triggerReason'] === 'MeterValuePeriodic');
    expect(periodic.params['transactionInfo']).toMatchObject({ transactionId: txId, chargingState: 'Charging' });
    const sampled = (periodic.params['meterValue'] as { sampledValue: unknown }[])[0]?.sampledValue;
    expect(measurand(sampled, 'Power.Active.Import')).toEqual([16 * 230 * 3]);

    await charger.unplug(1);
    const ended = await csms.waitFor('TransactionEvent', (c) => c.params['eventType'] === 'Ended');
    expect(ended.params['transactionInfo']).toMatchObject({ transactionId: txId, stoppedReason: 'EVDisconnected' });
    const seqNos = csms.callsOf('TransactionEvent').map((c) => c.params['seqNo']);
    expect(seqNos).toEqual(seqNos.map((_, i) => i));
  });

  it('offers the current of a TxDefaultProfile in W, converted with voltage and phases', async () => {
    const charger = await startCharger({ identity: 'cs201', version: '2.0.1' });
    await charger.plugIn(1, EV);
    await charger.authorize(1, 'TAG-2');
    const client = await csms.client('cs201');
    const res = await client.call('SetChargingProfile', {
      evseId: 1,
      chargingProfile: {
        id: 3,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 230 * 3 * 8 }] }],
      },
    });
    expect(res).toEqual({ status: 'Accepted' });
    expect(charger.state().evses[0]?.offeredCurrentA).toBeCloseTo(8, 6);
  });

  it('starts on RequestStartTransaction with triggerReason RemoteStart and its remoteStartId', async () => {
    const charger = await startCharger({ identity: 'cs201', version: '2.0.1' });
    await charger.plugIn(1, EV);
    const client = await csms.client('cs201');
    const res = await client.call('RequestStartTransaction', { evseId: 1, remoteStartId: 5, idToken: { idToken: 'R1', type: 'Central' } });
    expect(res).toEqual({ status: 'Accepted' });
    const started = await csms.waitFor('TransactionEvent', (c) => c.params['eventType'] === 'Started');
    expect(started.params).toMatchObject({ triggerReason: 'RemoteStart', transactionInfo: { remoteStartId: 5 } });
  });

  it('answers GetVariables for the heartbeat interval and an unknown component', async () => {
    await startCharger({ identity: 'cs201', version: '2.0.1' });
    const client = await csms.client('cs201');
    const res = (await client.call('GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'Nope' }, variable: { name: 'X' } },
      ],
    })) as { getVariableResult: { attributeStatus: string; attributeValue?: string }[] };
    expect(res.getVariableResult.map((r) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', '300'],
      ['UnknownComponent', undefined],
    ]);
  });
});

describe('an OCPP 2.1 simulated charger', () => {
  it('boots and reports status under strict schema validation', async () => {
    await startCharger({ identity: 'cs21', version: '2.1' });
    const status = await csms.waitFor('StatusNotification');
    expect(status.params).toMatchObject({ evseId: 1, connectorStatus: 'Available' });
  });
});
