import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { CallContext } from '../../ocpp/rpc-types.js';
import { NotSupportedError } from '../../ocpp/errors.js';
import type { OcppVersion } from '../../ocpp/versions.js';
import type { Store } from '../../store/store.js';
import type { StationRegistry } from '../../evse/station-registry.js';
import type { ReEnroll } from '../reenroll.js';
import { isCsmsProfileAction, type CsmsProfiles } from '../csms-profiles.js';
import type { ProfileScope } from '../csms-profiles-scope.js';
import { arrayField, fields, numberField, stringField } from '../wire-fields.js';
import {
  answerCsms,
  buildDeviceModel,
  getBaseReport,
  getVariables,
  planCsmsCall,
  setVariables,
  type DeviceModel,
  type DownstreamCall,
  type ThenSend,
  type EvseFacts,
  type HubDeviceInfo,
  type HubModeConfig,
  type HubState,
  type VariableChange,
} from '../hub-mode/index.js';
import { getReport } from '../hub-mode/get-report.js';
import type { HubSettings } from '../hub-mode/device-model-ctrlrs.js';
import type { HubStateStore } from './hub-state-store.js';
import type { SiteBoot } from './site-boot.js';
import type { HubBlocks } from './hub-blocks.js';

export interface HubCsmsSideDeps {
  config: HubModeConfig;
  store: Store;
  states: HubStateStore;
  gate: SiteBoot;
  registry: StationRegistry;
  reenroll: ReEnroll;
  /** Hub facts for the device model (heartbeat interval is read from the gate). */
  device: Omit<HubDeviceInfo, 'heartbeatIntervalS' | 'settings'>;
  /** What the hub's controller components report, read at each request. */
  settings?: () => HubSettings;
  /** The CSMS set SmartChargingCtrlr.LimitChangeSignificance (percent). */
  setLimitChangeSignificance?: (percent: number) => void;
  evses: Record<number, EvseFacts>;
  /** The CSMS's charging profiles: stored and answered by the hub (mode-neutral), never forwarded. */
  profiles: CsmsProfiles;
  /** The functional blocks (local list, reservations, firmware, ...): they answer the actions they own. */
  blocks: HubBlocks;
  profileScope: ProfileScope;
  clock: Clock;
  log: Logger;
}

/**
 * Hub mode, CSMS -> chargers. The CSMS talks to ONE station; its calls are either the hub's own
 * (device model: GetVariables, SetVariables, GetBaseReport + NotifyReport; charging profiles,
 * through the mode-neutral CsmsProfiles) or
 * translated (planCsmsCall) into calls to the right downstream charger(s) over their sessions,
 * whose answers make the one answer (answerCsms). A charger that is not connected gets the
 * CSMS an immediate answer, never a hang.
 */
export class HubCsmsSide {
  constructor(private readonly deps: HubCsmsSideDeps) {}

  async handle(ctx: CallContext): Promise<unknown> {
    const { deps } = this;
    deps.gate.touch();
    switch (ctx.action) {
      case 'GetVariables':
        return getVariables(this.model(), { getVariableData: arrayField(ctx.payload, 'getVariableData').map(variableRequest) });
      case 'SetVariables':
        return this.setVariables(ctx.payload);
      case 'GetBaseReport':
        return this.getBaseReport(ctx.payload);
      case 'GetReport':
        return this.getReport(ctx.payload);
      default:
        break;
    }
    if (isCsmsProfileAction(ctx.action)) return deps.profiles.handle(deps.profileScope, ctx.action, ctx.payload);
    if (deps.blocks.handlesCsms(ctx.action)) return deps.blocks.handleCsms(ctx.action, ctx.payload, ctx.signal);
    const planned = planCsmsCall(deps.states.state, deps.config, { action: ctx.action, payload: ctx.payload, nowMs: deps.clock.nowMs() }, (id) => this.versionOf(id));
    this.save(planned.state);
    const plan = planned.plan;
    if (plan.kind === 'hub') throw new NotSupportedError(`${ctx.action} is not supported by the hub`);
    if (plan.kind === 'answer') {
      const then = plan.then;
      if (then) setImmediate(() => this.sendAfterAnswer(then));
      return plan.payload;
    }
    // A triggered message may reach the hub before the chargers' answers do: nothing goes to
    // the CSMS until this answer is on the wire (it is sent as soon as the handler returns).
    const release = ctx.action === 'TriggerMessage' ? deps.gate.hold() : undefined;
    try {
      const results = await Promise.all(plan.calls.map((call) => this.callCharger(call, ctx.signal)));
      const answered = answerCsms(deps.states.state, plan, results);
      this.save(answered.state);
      deps.log.info({ action: ctx.action, chargers: plan.calls.map((c) => c.stationId), answer: stringField(answered.payload, 'status') }, 'CSMS call answered by the chargers');
      return answered.payload;
    } finally {
      if (release) setImmediate(release);
    }
  }

  private sendAfterAnswer(then: ThenSend): void {
    if (then === 'BootNotification' || then === 'Heartbeat') {
      this.deps.gate.trigger(then);
      return;
    }
    this.deps.gate.call(then.action, then.payload).catch((err: unknown) => {
      this.deps.log.warn({ action: then.action, err: err instanceof Error ? err.message : String(err) }, 'message after the answer not delivered');
    });
  }

  private versionOf(stationId: string): OcppVersion | undefined {
    const session = this.deps.registry.get(stationId);
    return session?.isOpen ? session.version : undefined;
  }

  /** A charger's answer, or undefined when it is away, refuses with a CALLERROR or does not answer. */
  private async callCharger(call: DownstreamCall, signal: AbortSignal): Promise<unknown> {
    const session = this.deps.registry.get(call.stationId);
    if (!session?.isOpen) return undefined;
    try {
      const result = await session.peer.call(call.action, call.payload, { signal });
      this.deps.reenroll.record(call.stationId, call.version, call.action, call.payload, result);
      return result;
    } catch (err) {
      this.deps.log.warn({ stationId: call.stationId, action: call.action, err: err instanceof Error ? err.message : String(err) }, 'charger did not answer a CSMS call');
      return undefined;
    }
  }

  private save(next: HubState): void {
    if (next === this.deps.states.state) return;
    this.deps.store.db.transaction(() => this.deps.states.save(next, []))();
  }

  private model(): DeviceModel {
    const { deps } = this;
    const settings = deps.settings?.();
    return buildDeviceModel({ hub: { ...deps.device, heartbeatIntervalS: deps.gate.heartbeatIntervalS, ...(settings ? { settings } : {}) }, state: deps.states.state, evses: deps.evses });
  }

  private setVariables(payload: unknown): object {
    const data = arrayField(payload, 'setVariableData').map((d) => ({ ...variableRequest(d), attributeValue: stringField(d, 'attributeValue') ?? '' }));
    const { payload: answer, changes } = setVariables(this.model(), { setVariableData: data });
    for (const change of changes) this.apply(change);
    return answer;
  }

  private apply(change: VariableChange): void {
    if (change.component.name === 'OCPPCommCtrlr' && change.variable.name === 'HeartbeatInterval') {
      this.deps.gate.setHeartbeatInterval(Number(change.value));
      this.deps.log.info({ heartbeatIntervalS: Number(change.value) }, 'CSMS set the site heartbeat interval');
    }
    if (change.component.name === 'SmartChargingCtrlr' && change.variable.name === 'LimitChangeSignificance') {
      this.deps.setLimitChangeSignificance?.(Number(change.value));
      this.deps.log.info({ percent: Number(change.value) }, 'CSMS set LimitChangeSignificance');
    }
  }

  private getBaseReport(payload: unknown): object {
    const { deps } = this;
    const req = { requestId: numberField(payload, 'requestId') ?? 0, reportBase: stringField(payload, 'reportBase') ?? '' };
    const { payload: answer, reports } = getBaseReport(this.model(), req, deps.clock.nowMs(), deps.device.itemsPerMessage);
    this.sendReports(req.requestId, reports);
    return answer;
  }

  private getReport(payload: unknown): object {
    const { deps } = this;
    const requestId = numberField(payload, 'requestId') ?? 0;
    const criteria = arrayField(payload, 'componentCriteria').filter((c): c is string => typeof c === 'string');
    const componentVariable = arrayField(payload, 'componentVariable').map((cv) => {
      const ref = variableRequest(cv);
      const hasVariable = fields(cv)['variable'] !== undefined;
      return { component: ref.component, ...(hasVariable ? { variable: ref.variable } : {}) };
    });
    const { payload: answer, reports } = getReport(this.model(), { requestId, componentCriteria: criteria, componentVariable }, deps.clock.nowMs(), deps.device.itemsPerMessage);
    this.sendReports(requestId, reports);
    return answer;
  }

  /** The NotifyReports, in order, after the answer (OCPP requires the answer first). */
  private sendReports(requestId: number, reports: readonly object[]): void {
    const { deps } = this;
    if (reports.length === 0) return;
    setImmediate(() => {
      void (async () => {
        for (const report of reports) {
          try {
            await deps.gate.call('NotifyReport', report);
          } catch (err) {
            deps.log.warn({ requestId, err: err instanceof Error ? err.message : String(err) }, 'NotifyReport not delivered');
            return;
          }
        }
      })();
    });
  }
}

/** A validated GetVariableData / SetVariableData item as the device model reads it. */
function variableRequest(d: unknown): { component: { name: string; instance?: string; evse?: { id: number; connectorId?: number } }; variable: { name: string; instance?: string }; attributeType?: string } {
  const c = fields(fields(d)['component']);
  const v = fields(fields(d)['variable']);
  const evse = c['evse'] === undefined ? undefined : fields(c['evse']);
  const evseId = numberField(evse, 'id');
  const connectorId = numberField(evse, 'connectorId');
  const cInstance = stringField(c, 'instance');
  const vInstance = stringField(v, 'instance');
  const attributeType = stringField(d, 'attributeType');
  return {
    component: {
      name: stringField(c, 'name') ?? '',
      ...(cInstance !== undefined ? { instance: cInstance } : {}),
      ...(evseId !== undefined ? { evse: { id: evseId, ...(connectorId !== undefined ? { connectorId } : {}) } } : {}),
    },
    variable: { name: stringField(v, 'name') ?? '', ...(vInstance !== undefined ? { instance: vInstance } : {}) },
    ...(attributeType !== undefined ? { attributeType } : {}),
  };
}
