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
  type EvseFacts,
  type HubDeviceInfo,
  type HubModeConfig,
  type HubState,
  type VariableChange,
} from '../hub-mode/index.js';
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
  device: Omit<HubDeviceInfo, 'heartbeatIntervalS'>;
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
      if (then) setImmediate(() => deps.gate.trigger(then));
      return plan.payload;
    }
    const results = await Promise.all(plan.calls.map((call) => this.callCharger(call, ctx.signal)));
    const answered = answerCsms(deps.states.state, plan, results);
    this.save(answered.state);
    deps.log.info({ action: ctx.action, chargers: plan.calls.map((c) => c.stationId), answer: stringField(answered.payload, 'status') }, 'CSMS call answered by the chargers');
    return answered.payload;
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
    return buildDeviceModel({ hub: { ...deps.device, heartbeatIntervalS: deps.gate.heartbeatIntervalS }, state: deps.states.state, evses: deps.evses });
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
  }

  private getBaseReport(payload: unknown): object {
    const { deps } = this;
    const req = { requestId: numberField(payload, 'requestId') ?? 0, reportBase: stringField(payload, 'reportBase') ?? '' };
    const { payload: answer, reports } = getBaseReport(this.model(), req, deps.clock.nowMs(), deps.device.itemsPerMessage);
    // NotifyReport follows the answer, as OCPP requires.
    if (reports.length > 0) {
      setImmediate(() => {
        void (async () => {
          for (const report of reports) {
            try {
              await deps.gate.call('NotifyReport', report);
            } catch (err) {
              deps.log.warn({ requestId: req.requestId, err: err instanceof Error ? err.message : String(err) }, 'NotifyReport not delivered');
              return;
            }
          }
        })();
      });
    }
    return answer;
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
