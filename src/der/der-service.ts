import type { MeterReading } from '../energy/meter-reading.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { DER_ALARM_DEFAULTS, derAlarmStep, NO_DER_ALARMS, type DerAlarmState, type DerAlarmThresholds } from './alarms.js';
import {
  clearDerControls, controlsInForce, EMPTY_DER_STATE, nextDerEdgeMs, pruneExpired, setDerControl,
  type DerControlState, type DerInForce,
} from './der-control-store.js';
import {
  HUB_APPLIED_DER_TYPES,
  type DerControlAnswer, type DerControlType, type SetDerControlResponse,
} from './der-control-types.js';
import {
  derSchemaError, isClearDerControlRequest, isGetDerControlRequest, isSetDerControlRequest,
} from './der-payload-guards.js';
import type { DerRepo } from './der-repo.js';
import { getDerControl } from './der-report.js';
import { derStartStopEvents } from './der-start-stop.js';

export interface DerServiceDeps {
  clock: Clock;
  log: Logger;
  /** Sends a CALL to the CSMS and resolves with its answer (e.g. the upstream link's call). */
  send: (action: string, payload: unknown) => Promise<unknown>;
  /** Persistence; without one the controls live in memory only. */
  repo?: DerRepo;
  /** Control types accepted (default: what the hub applies). */
  supportedTypes?: readonly DerControlType[];
  /** Grid limits for NotifyDERAlarm; none watched when absent. */
  alarmThresholds?: Partial<DerAlarmThresholds>;
  /** Called when the controls in force may have changed: ask the controller for a decision. */
  onChange?: (reason: string) => void;
  /** Runs fn after the answer in hand has gone out (default setImmediate). */
  defer?: (fn: () => void) => void;
}

/**
 * The hub's DER controls at the edge: answers Set/Get/Clear (pure store underneath), persists,
 * sends ReportDERControl after a Get, NotifyDERStartStop when scheduled controls start and end
 * (a Clock timer at the next edge), and NotifyDERAlarm from meter readings. Notifications that
 * fail to send are logged and dropped (they are not billing data, so they do not go through the
 * outbox).
 */
export class DerService {
  private controls: DerControlState = EMPTY_DER_STATE;
  private inForceIds: string[] = [];
  private alarms: DerAlarmState = NO_DER_ALARMS;
  private timer: TimerHandle | undefined;
  private readonly supported: readonly DerControlType[];
  private readonly thresholds: DerAlarmThresholds | undefined;
  private readonly defer: (fn: () => void) => void;

  constructor(private readonly deps: DerServiceDeps) {
    this.supported = deps.supportedTypes ?? HUB_APPLIED_DER_TYPES;
    this.thresholds = deps.alarmThresholds ? { ...DER_ALARM_DEFAULTS, ...deps.alarmThresholds } : undefined;
    this.defer = deps.defer ?? ((fn) => void setImmediate(fn));
  }

  /** The accepted controls now (immutable; a strategy may read it at each decision). */
  get state(): DerControlState {
    return this.controls;
  }

  /** The control in force per type at the clock's now. */
  inForce(): DerInForce {
    return controlsInForce(this.controls, this.deps.clock.nowMs());
  }

  /** Loads stored controls and arms the edge timer. No NotifyDERStartStop for what was already in force. */
  start(): void {
    if (this.deps.repo) {
      const { state, skipped } = this.deps.repo.load();
      for (const s of skipped) this.deps.log.warn({ controlId: s.controlId, reason: s.reason }, 'stored DER control dropped');
      this.controls = state;
    }
    this.inForceIds = derStartStopEvents([], this.controls, this.deps.clock.nowMs()).inForceIds;
    this.arm();
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** SetDERControl from the CSMS. Throws the RpcError to answer with when the payload breaks the schema. */
  handleSet(payload: unknown): SetDerControlResponse {
    if (!isSetDerControlRequest(payload)) throw schemaError('SetDERControl', payload);
    const out = setDerControl(this.controls, payload, this.deps.clock.nowMs(), this.supported);
    this.deps.log.info({ controlId: payload.controlId, controlType: payload.controlType, isDefault: payload.isDefault, status: out.response.status,
      reason: out.response.statusInfo?.additionalInfo, supersededIds: out.response.supersededIds }, 'SetDERControl');
    if (out.response.status === 'Accepted') this.commit(out.state, `der:set ${payload.controlType}`);
    return out.response;
  }

  /** GetDERControl: answers, then sends the ReportDERControl messages (one at a time, in order). */
  handleGet(payload: unknown): DerControlAnswer {
    if (!isGetDerControlRequest(payload)) throw schemaError('GetDERControl', payload);
    const { response, reports } = getDerControl(this.controls, payload, this.deps.clock.nowMs(), this.supported);
    if (reports.length > 0) {
      this.defer(() => {
        void (async () => {
          for (const report of reports) {
            if (!(await this.trySend('ReportDERControl', report))) return;
          }
        })();
      });
    }
    return response;
  }

  /** ClearDERControl from the CSMS. */
  handleClear(payload: unknown): DerControlAnswer {
    if (!isClearDerControlRequest(payload)) throw schemaError('ClearDERControl', payload);
    const out = clearDerControls(this.controls, payload, this.deps.clock.nowMs());
    this.deps.log.info({ ...payload, status: out.response.status }, 'ClearDERControl');
    if (out.response.status === 'Accepted') this.commit(out.state, 'der:clear');
    return out.response;
  }

  /** A meter reading (the grid meter's): sends NotifyDERAlarm on each alarm start and end. */
  onMeterReading(reading: MeterReading & { stale?: boolean }): void {
    if (!this.thresholds) return;
    const out = derAlarmStep(reading, this.alarms, this.thresholds);
    this.alarms = out.state;
    for (const alarm of out.alarms) {
      this.deps.log.warn({ ...alarm }, 'DER alarm');
      void this.trySend('NotifyDERAlarm', alarm);
    }
  }

  private commit(next: DerControlState, reason: string): void {
    this.controls = next;
    this.deps.repo?.save(next);
    this.edge();
    this.deps.onChange?.(reason);
  }

  /** Start/stop notifications for what changed, then the timer for the next edge. */
  private edge(): void {
    const nowMs = this.deps.clock.nowMs();
    const { events, inForceIds } = derStartStopEvents(this.inForceIds, this.controls, nowMs);
    this.inForceIds = inForceIds;
    for (const e of events) void this.trySend('NotifyDERStartStop', e);
    this.arm();
  }

  private arm(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const nowMs = this.deps.clock.nowMs();
    const nextMs = nextDerEdgeMs(this.controls, nowMs);
    if (nextMs === undefined) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      const pruned = pruneExpired(this.controls, this.deps.clock.nowMs());
      if (pruned !== this.controls) {
        this.controls = pruned;
        this.deps.repo?.save(pruned);
      }
      this.edge();
      this.deps.onChange?.('der:edge');
    }, nextMs - nowMs);
  }

  private async trySend(action: string, payload: unknown): Promise<boolean> {
    try {
      await this.deps.send(action, payload);
      return true;
    } catch (err) {
      this.deps.log.warn({ action, err: err instanceof Error ? err.message : String(err) }, 'DER message not delivered');
      return false;
    }
  }
}

function schemaError(action: string, payload: unknown): Error {
  return derSchemaError(action, 'req', payload) ?? new Error(`${action}: invalid payload`);
}
